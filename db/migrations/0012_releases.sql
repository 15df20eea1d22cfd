-- 0012: the release window (一个窗口发布) — being written by helper PUB
SELECT 1;
