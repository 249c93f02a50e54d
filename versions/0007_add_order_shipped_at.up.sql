-- Parents: 0006_create_order_totals_view
-- Message: Record when an order ships
-- Created: 2026-11-16 09:45:00 UTC

ALTER TABLE orders ADD COLUMN shipped_at timestamp;

CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);
