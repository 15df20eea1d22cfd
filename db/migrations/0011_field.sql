-- 0011: the field — dispatch and the forward HQ — being written by helper FIELD
SELECT 1;
