-- 0010: responses (应急响应) opened from a plan, and what runs inside them: the level history,
-- the checklist, the working groups, orders (指令) and 会商 meetings.
-- The two tables below are the shared core (other migrations refer to them); helper RESP
-- extends this file with the rest.

-- One response per event (or per warning that started a plan early). ``level`` is the
-- current level; every start/raise/lower/end is a row in response_decisions.
CREATE TABLE responses (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER REFERENCES events(id),
    warning_id     INTEGER REFERENCES warnings(id),          -- a warning that started it early
    plan_id        INTEGER NOT NULL REFERENCES plans(id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    status         TEXT NOT NULL DEFAULT '响应中' CHECK (status IN ('响应中', '已解除')),
    is_drill       INTEGER NOT NULL DEFAULT 0 CHECK (is_drill IN (0, 1)),
    matter         TEXT NOT NULL CHECK (length(trim(matter)) > 0),    -- 响应事项
    measures       TEXT NOT NULL CHECK (length(trim(measures)) > 0),  -- 措施
    expected_until TEXT,                                      -- 预计期限 'YYYY-MM-DD HH:MM'
    started_at     TEXT NOT NULL,
    started_by     INTEGER NOT NULL REFERENCES people(id),    -- the decider
    ended_at       TEXT,
    ended_by       INTEGER REFERENCES people(id),
    recorded_by    TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (event_id IS NOT NULL OR warning_id IS NOT NULL),
    CHECK ((status = '已解除') = (ended_at IS NOT NULL))
);
CREATE INDEX responses_status ON responses(status, started_at);
CREATE INDEX responses_event ON responses(event_id);

-- The working groups of one response, instantiated from the plan's template and editable.
CREATE TABLE response_groups (
    id            INTEGER PRIMARY KEY,
    response_id   INTEGER NOT NULL REFERENCES responses(id),
    name          TEXT NOT NULL,
    lead_org_id   INTEGER REFERENCES organizations(id),
    leader_id     INTEGER REFERENCES people(id),
    contact_phone TEXT NOT NULL DEFAULT '',
    duties        TEXT NOT NULL DEFAULT '',
    sort_order    INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (response_id, name)
);

-- ------------------------------------------------------------------ RESP: the rest of a response

-- Every start / raise / lower / end of a response (第七十二条, 第八十六条): who decided, when, why.
-- The whole level history of a response is these rows in time order.
CREATE TABLE response_decisions (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses(id),
    kind        TEXT NOT NULL CHECK (kind IN ('启动', '提级', '降级', '解除')),
    from_level  INTEGER CHECK (from_level IS NULL OR from_level BETWEEN 1 AND 4),
    to_level    INTEGER CHECK (to_level IS NULL OR to_level BETWEEN 1 AND 4),
    decided_by  INTEGER NOT NULL REFERENCES people(id),
    decided_at  TEXT NOT NULL CHECK (decided_at GLOB
                    '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    reason      TEXT NOT NULL DEFAULT '',
    measures    TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    created_at  TEXT NOT NULL,
    CHECK ((kind = '启动') = (from_level IS NULL)),
    CHECK ((kind = '解除') = (to_level IS NULL)),
    CHECK (kind != '提级' OR to_level < from_level),
    CHECK (kind != '降级' OR to_level > from_level)
);
CREATE INDEX response_decisions_response ON response_decisions(response_id, decided_at);

-- The checklist a response runs: the plan's actions of every level from Ⅳ up to the current
-- one, copied when the level is opened or raised (the plan may change later; the record not).
CREATE TABLE response_checklist (
    id             INTEGER PRIMARY KEY,
    response_id    INTEGER NOT NULL REFERENCES responses(id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),   -- the level that added it
    seq            INTEGER NOT NULL,
    action         TEXT NOT NULL CHECK (length(trim(action)) > 0),
    owner_group_id INTEGER REFERENCES response_groups(id),
    owner_org_id   INTEGER REFERENCES organizations(id),
    due_at         TEXT,                                             -- start + due_minutes
    done_at        TEXT,
    done_by        TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (owner_group_id IS NULL OR owner_org_id IS NULL),
    CHECK ((done_at IS NULL) = (done_by = '')),
    UNIQUE (response_id, level, seq)
);
CREATE INDEX response_checklist_response ON response_checklist(response_id, level);

-- Member units of a response's working group.
CREATE TABLE response_group_members (
    group_id   INTEGER NOT NULL REFERENCES response_groups(id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    sort_order INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, org_id)
) WITHOUT ROWID;

-- 会商 meetings of a response.
CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    response_id  INTEGER NOT NULL REFERENCES responses(id),
    held_at      TEXT NOT NULL CHECK (held_at GLOB
                     '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    place        TEXT NOT NULL DEFAULT '',
    chaired_by   INTEGER REFERENCES people(id),
    participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
    assessment   TEXT NOT NULL CHECK (length(trim(assessment)) > 0),   -- 研判
    decisions    TEXT NOT NULL CHECK (length(trim(decisions)) > 0),    -- 会商决定
    recorded_by  TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    created_at   TEXT NOT NULL
);
CREATE INDEX meetings_response ON meetings(response_id, held_at);

-- Orders (指令) of the command centre; each recipient acknowledges and reports back on its own.
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses(id),
    meeting_id  INTEGER REFERENCES meetings(id),                 -- the 会商 it came from
    content     TEXT NOT NULL CHECK (length(trim(content)) > 0),
    issued_at   TEXT NOT NULL CHECK (issued_at GLOB
                    '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    issued_by   INTEGER REFERENCES people(id),                   -- the leader who gave it
    due_at      TEXT,
    recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    created_at  TEXT NOT NULL,
    CHECK (due_at IS NULL OR due_at > issued_at)
);
CREATE INDEX orders_response ON orders(response_id, issued_at);

CREATE TABLE order_recipients (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    town_id         INTEGER REFERENCES admin_units(id),
    org_id          INTEGER REFERENCES organizations(id),
    group_id        INTEGER REFERENCES response_groups(id),
    acknowledged_at TEXT,
    acknowledged_by TEXT NOT NULL DEFAULT '',        -- who signed for it at the recipient
    done_at         TEXT,
    feedback        TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    CHECK ((town_id IS NOT NULL) + (org_id IS NOT NULL) + (group_id IS NOT NULL) = 1),
    CHECK (done_at IS NULL OR acknowledged_at IS NOT NULL),
    CHECK (done_at IS NULL OR done_at >= acknowledged_at),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by = ''))
);
CREATE INDEX order_recipients_order ON order_recipients(order_id);

-- 续报 cadence while a response is live, per level (configurable). A row gives either a
-- fixed interval from the level's start or a daily time (the first the day after).
CREATE TABLE response_report_cadence (
    level            INTEGER PRIMARY KEY REFERENCES response_levels(id),
    interval_minutes INTEGER CHECK (interval_minutes IS NULL OR interval_minutes BETWEEN 10 AND 2880),
    daily_at         TEXT CHECK (daily_at IS NULL OR daily_at GLOB '[0-2][0-9]:[0-5][0-9]'),
    note             TEXT NOT NULL DEFAULT '',
    CHECK ((interval_minutes IS NULL) != (daily_at IS NULL))
);
INSERT INTO response_report_cadence (level, interval_minutes, daily_at, note) VALUES
    (4, NULL, '09:00', 'Ⅳ级响应：每日9时前续报'),
    (3, 240, NULL, 'Ⅲ级响应：每4小时续报一次'),
    (2, 120, NULL, 'Ⅱ级响应：每2小时续报一次'),
    (1, 60, NULL, 'Ⅰ级响应：每1小时续报一次');

-- Timed relief targets from the plans (DOMAIN.md §6), counted from the response's start;
-- configurable. A target applies to every response (both NULL), a category or a subtype.
CREATE TABLE relief_targets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 43200),
    category_id INTEGER REFERENCES event_categories(id),
    subtype_id  INTEGER REFERENCES event_subtypes(id),
    source      TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort_order  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '受灾群众8小时内得到初步救助', 480, 1, NULL, '南雄市“十四五”应急管理规划：受灾群众基本生活初步救助时间<8小时', 1;
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '洪水救援力量2小时内到达现场', 120, NULL, id, '南雄市“十四五”应急管理规划：内河应急处置现场到达时间<2小时', 2
FROM event_subtypes WHERE name = '防汛';
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '水上救援力量2小时内到达现场', 120, NULL, id, '南雄市“十四五”应急管理规划：内河应急处置现场到达时间<2小时', 2
FROM event_subtypes WHERE name = '水上交通';
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '救援力量1小时内出动', 60, NULL, id, '西城区“十四五”规划：震后1小时内派出救援力量', 3
FROM event_subtypes WHERE name = '地震';
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '首批救灾物资6小时内运抵灾区', 360, NULL, id, '西城区“十四五”规划：地震灾害发生后6小时之内第一批救灾物资到达现场', 4
FROM event_subtypes WHERE name = '地震';
INSERT INTO relief_targets (name, minutes, category_id, subtype_id, source, sort_order)
SELECT '受灾群众10小时内基本生活得到有效救助', 600, NULL, id, '西城区“十四五”规划：受灾人员10小时之内基本生活有效救助率达到100%', 5
FROM event_subtypes WHERE name = '地震';

-- A relief target met (or a deviation noted) for one response.
CREATE TABLE response_targets (
    response_id INTEGER NOT NULL REFERENCES responses(id),
    target_id   INTEGER NOT NULL REFERENCES relief_targets(id),
    met_at      TEXT NOT NULL,
    met_by      TEXT NOT NULL CHECK (length(trim(met_by)) > 0),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (response_id, target_id)
) WITHOUT ROWID;
