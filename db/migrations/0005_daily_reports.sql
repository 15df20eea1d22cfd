-- 0005: the daily duty report (值班信息日报, or 零报告 when there is nothing to report) that
-- statutory holidays ("五个一") and special periods flagged daily_zero_report require.
-- Its 09:00 deadline is derived (nxcommand.deadlines), like the events' clocks.

CREATE TABLE daily_reports (
    id          INTEGER PRIMARY KEY,
    duty_date   TEXT NOT NULL UNIQUE,             -- the day reported for: data to 24:00 before
    sent_at     TEXT NOT NULL,                    -- 'YYYY-MM-DD HH:MM'
    zero        INTEGER NOT NULL CHECK (zero IN (0, 1)),   -- 1: 零报告
    channel     TEXT NOT NULL,
    to_report   TEXT NOT NULL,
    signed_by   TEXT NOT NULL,
    content     TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

INSERT OR IGNORE INTO meta (key, value) VALUES ('daily_report_at', '09:00');
