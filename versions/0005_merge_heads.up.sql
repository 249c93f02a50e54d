-- Parents: 0004_add_user_email, 0004_create_orders
-- Message: merge heads
-- Created: 2026-11-10 08:05:00 UTC

