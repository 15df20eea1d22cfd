-- 0003: the duty roster (值班表): shift patterns, shifts, who is on them, the history of
-- changes (换班/替班), duty modes (节假日 "五个一" checklist, special periods) and the
-- leader-in-post marks. Holidays themselves come from nxcommand.holidays, never from here.
-- Times are local 'YYYY-MM-DD HH:MM' strings; days are 'YYYY-MM-DD'.

-- Shift patterns (reference data): each pattern is a set of daily slots.
CREATE TABLE shift_patterns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE shift_pattern_slots (
    id               INTEGER PRIMARY KEY,
    pattern_id       INTEGER NOT NULL REFERENCES shift_patterns(id) ON DELETE CASCADE,
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),   -- 全天, 白班, 夜班
    start_time       TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    sort_order       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (pattern_id, name)
);

-- One shift of duty. duty_date is the day the shift belongs to (a 24 h shift starting
-- 11-03 08:30 belongs to 11-03). Leader-in-post is marked per shift, with the time.
CREATE TABLE shifts (
    id                INTEGER PRIMARY KEY,
    duty_date         TEXT NOT NULL CHECK (duty_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    starts_at         TEXT NOT NULL CHECK (length(starts_at) = 16),
    ends_at           TEXT NOT NULL CHECK (length(ends_at) = 16),
    leader_in_post_at TEXT,                 -- when the leader was marked in post
    leader_in_post_by TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,   -- bumped on every change of its people
    created_at        TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    UNIQUE (duty_date, name)
);
CREATE INDEX shifts_time ON shifts(starts_at, ends_at);

-- Who is on a shift: one 带班领导 (slot 1) and up to two 值班员 (slots 1, 2).
CREATE TABLE shift_assignments (
    shift_id  INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('带班领导', '值班员')),
    slot      INTEGER NOT NULL CHECK (slot IN (1, 2)),
    person_id INTEGER NOT NULL REFERENCES people(id),
    CHECK (role = '值班员' OR slot = 1),
    PRIMARY KEY (shift_id, role, slot),
    UNIQUE (shift_id, person_id)
) WITHOUT ROWID;
CREATE INDEX shift_assignments_person ON shift_assignments(person_id);

-- Every change of who is on a shift: first assignment, correction, 换班, 替班, Excel import.
-- Append-only: the triggers below refuse edits and deletions.
CREATE TABLE roster_changes (
    id               INTEGER PRIMARY KEY,
    shift_id         INTEGER NOT NULL REFERENCES shifts(id),
    kind             TEXT NOT NULL CHECK (kind IN ('排班', '调整', '换班', '替班', '导入')),
    role             TEXT NOT NULL CHECK (role IN ('带班领导', '值班员')),
    old_person_id    INTEGER REFERENCES people(id),     -- who was replaced (NULL: slot was empty)
    new_person_id    INTEGER REFERENCES people(id),     -- by whom (NULL: slot emptied)
    related_shift_id INTEGER REFERENCES shifts(id),     -- 换班: the other shift of the exchange
    reason           TEXT NOT NULL DEFAULT '',
    recorded_at      TEXT NOT NULL,
    CHECK (old_person_id IS NOT new_person_id),
    CHECK (kind IN ('排班') OR length(trim(reason)) > 0)
);
CREATE INDEX roster_changes_shift ON roster_changes(shift_id, id);

CREATE TRIGGER roster_changes_no_update BEFORE UPDATE ON roster_changes
BEGIN
    SELECT RAISE(ABORT, 'roster history is append-only');
END;

CREATE TRIGGER roster_changes_no_delete BEFORE DELETE ON roster_changes
BEGIN
    SELECT RAISE(ABORT, 'roster history is append-only');
END;

-- Special duty periods (特别防护期, 汛期, 高森林火险期) and their stricter rules. The kinds
-- carry the default rules; each period copies them and may tighten or relax them.
CREATE TABLE duty_period_kinds (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    leader_in_post    INTEGER NOT NULL CHECK (leader_in_post IN (0, 1)),    -- 带班领导须在岗
    daily_zero_report INTEGER NOT NULL CHECK (daily_zero_report IN (0, 1)), -- 每日报告/零报告
    sort_order        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE duty_periods (
    id                INTEGER PRIMARY KEY,
    kind_id           INTEGER NOT NULL REFERENCES duty_period_kinds(id),
    name              TEXT NOT NULL,
    start_date        TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    end_date          TEXT NOT NULL CHECK (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    leader_in_post    INTEGER NOT NULL CHECK (leader_in_post IN (0, 1)),
    daily_zero_report INTEGER NOT NULL CHECK (daily_zero_report IN (0, 1)),
    note              TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX duty_periods_dates ON duty_periods(start_date, end_date);

-- The holiday "五个一" checklist (configurable) and its ticks per holiday shift.
CREATE TABLE holiday_checklist_items (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE shift_checklist_ticks (
    shift_id   INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES holiday_checklist_items(id),
    ticked_by  TEXT NOT NULL CHECK (length(trim(ticked_by)) > 0),
    ticked_at  TEXT NOT NULL,
    PRIMARY KEY (shift_id, item_id)
) WITHOUT ROWID;

-- ------------------------------------------------------------------------ defaults

INSERT INTO shift_patterns (id, name, is_default, sort_order) VALUES
    (1, '24小时班', 1, 1), (2, '白班/夜班', 0, 2);

INSERT INTO shift_pattern_slots (pattern_id, name, start_time, duration_minutes, sort_order) VALUES
    (1, '全天', '08:30', 1440, 1),
    (2, '白班', '08:30', 720, 1),
    (2, '夜班', '20:30', 720, 2);

INSERT INTO duty_period_kinds (name, leader_in_post, daily_zero_report, sort_order) VALUES
    ('特别防护期', 1, 1, 1), ('汛期', 1, 1, 2), ('高森林火险期', 1, 1, 3);

INSERT INTO holiday_checklist_items (name, sort_order) VALUES
    ('领导在岗带班', 1), ('24小时值班', 2), ('值班表提前报备', 3), ('每日报告/零报告', 4),
    ('通讯畅通', 5);
