-- Parents: 0005_merge_heads
-- Message: Order totals view for the billing report
-- Created: 2026-11-12 13:20:00 UTC

-- Needs both branches: users.email and the orders tables.
CREATE VIEW order_totals AS
SELECT o.id                                  AS order_id,
       u.id                                  AS user_id,
       u.email                               AS email,
       o.status                              AS status,
       count(i.product_id)                   AS item_count,
       coalesce(sum(i.quantity * i.unit_price_cents), 0) AS total_cents
FROM orders o
JOIN users u ON u.id = o.user_id
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY o.id, u.id, u.email, o.status;
