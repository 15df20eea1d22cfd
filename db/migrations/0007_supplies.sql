-- 0007_supplies: (being written)
SELECT 1;
