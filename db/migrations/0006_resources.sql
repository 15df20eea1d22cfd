-- 0006_resources: (being written)
SELECT 1;
