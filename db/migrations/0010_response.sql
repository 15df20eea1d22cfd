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
