-- 0004: the duty log (值班日志). Entries are timed to the minute and are never edited or
-- deleted: a correction is a new entry pointing at the one it corrects, and triggers refuse
-- UPDATE and DELETE. The Chinese full-text index is built by nxcommand.cjksearch.

-- Kinds of entry: reference data, editable. 更正 is the filter for corrections: a correction
-- keeps the kind of what it corrects, and is also found under 更正.
CREATE TABLE log_kinds (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    sort_order INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

INSERT INTO log_kinds (id, name, sort_order) VALUES
    (1, '来电', 1), (2, '来文', 2), (3, '预警', 3), (4, '领导批示', 4), (5, '处置', 5),
    (6, '交办', 6), (7, '报告', 7), (8, '备忘', 8), (9, '交接班', 9), (10, '视频点名', 10),
    (11, '会商', 11), (12, '其他', 12), (13, '更正', 13);

CREATE TABLE log_entries (
    id          INTEGER PRIMARY KEY,
    logged_at   TEXT NOT NULL CHECK (logged_at GLOB
                    '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    kind_id     INTEGER NOT NULL REFERENCES log_kinds(id),
    source      TEXT NOT NULL DEFAULT '',          -- 来源: caller, unit, document
    summary     TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    actions     TEXT NOT NULL DEFAULT '',          -- 处置情况
    reported_to TEXT NOT NULL DEFAULT '',          -- 报告对象
    reported_at TEXT CHECK (reported_at IS NULL OR reported_at GLOB
                    '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    town_id     INTEGER REFERENCES admin_units(id),
    event_id    INTEGER REFERENCES events(id),
    corrects_id INTEGER UNIQUE REFERENCES log_entries(id),   -- at most one correction each
    reason      TEXT NOT NULL DEFAULT '',          -- 更正原因, required for a correction
    recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    recorded_at TEXT NOT NULL,                     -- from the clock, 'YYYY-MM-DD HH:MM:SS'
    -- Display order (newest first), keyset cursor and rowid in log_fts: the minute of
    -- logged_at since 2000-01-01 times 1024, plus the entry's place within that minute
    -- (set by nxcommand.dutylog). Small steps keep the full-text index compact.
    sort_key    INTEGER NOT NULL UNIQUE,
    CHECK (sort_key >> 10 = (strftime('%s', logged_at) - 946684800) / 60),
    CHECK (corrects_id IS NULL OR corrects_id < id),
    CHECK ((corrects_id IS NULL) = (reason = '')),
    CHECK ((reported_at IS NULL) = (reported_to = ''))
);
CREATE INDEX log_entries_event ON log_entries(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX log_entries_town ON log_entries(town_id) WHERE town_id IS NOT NULL;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, '值班日志记录不能修改；如有错误，请新增一条更正记录'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, '值班日志记录不能删除；如有错误，请新增一条更正记录'); END;

-- The search index: contentless, rowid = log_entries.sort_key. Its body holds the entry's
-- text as CJK bigrams plus filter tags (kind, town, event), see nxcommand.cjksearch.
CREATE VIRTUAL TABLE log_fts USING fts5(body, content='', tokenize='ascii', prefix='1');
