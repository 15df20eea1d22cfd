-- 0009: warnings (预警) — being written by helper PUB
SELECT 1;
