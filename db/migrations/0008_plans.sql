-- 0008_plans: (being written)
SELECT 1;
