-- 0009: warnings (预警). A warning carries every element the law names (突发事件应对法 2024
-- 第六十四条): 类别, 级别, 起始时间, 影响范围 (towns), 警示事项, 措施, 发布单位, 发布时间.
-- Two sources are kept apart: warnings the county government (or one of its bodies) issues,
-- and meteorological warning signals issued by 气象局 that the desk relays (转发): the latter
-- keep the signal's own name and who relayed it when.
-- Adjusting (调整) re-issues: a new row points at the one it replaces (replaces_id) and the
-- old one becomes 已调整. Lifting (解除) ends the 预警期 of the version in force.
-- Times are to the minute ('YYYY-MM-DD HH:MM').

CREATE TABLE warnings (
    id               INTEGER PRIMARY KEY,
    source           TEXT NOT NULL CHECK (source IN ('政府预警', '气象预警信号')),
    title            TEXT NOT NULL CHECK (length(trim(title)) > 0),
    category_id      INTEGER NOT NULL REFERENCES event_categories(id),
    subtype_id       INTEGER NOT NULL REFERENCES event_subtypes(id),
    level            INTEGER NOT NULL REFERENCES warning_levels(id),
    signal_name      TEXT NOT NULL DEFAULT '',     -- 气象预警信号 only, e.g. 暴雨橙色预警信号
    starts_at        TEXT NOT NULL CHECK (starts_at GLOB
                         '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    matters          TEXT NOT NULL CHECK (length(trim(matters)) > 0),   -- 警示事项
    measures         TEXT NOT NULL CHECK (length(trim(measures)) > 0),  -- 防范措施
    issuer_org_id    INTEGER REFERENCES organizations(id),              -- 发布单位: a county unit
    issuer_body_id   INTEGER REFERENCES command_bodies(id),             -- ... or a command body
    issued_at        TEXT NOT NULL CHECK (issued_at GLOB
                         '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    relayed_org_id   INTEGER REFERENCES organizations(id),              -- 转发单位 (signals)
    relayed_at       TEXT,                                              -- 转发时间 (signals)
    status           TEXT NOT NULL DEFAULT '生效' CHECK (status IN ('生效', '已调整', '已解除')),
    revision         INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),  -- 1 = first issue
    replaces_id      INTEGER UNIQUE REFERENCES warnings(id),            -- the version it adjusts
    adjust_reason    TEXT NOT NULL DEFAULT '',
    superseded_at    TEXT,                                              -- when it was adjusted
    lifted_at        TEXT,                                              -- 解除时间
    lift_reason      TEXT NOT NULL DEFAULT '',
    lifted_by        TEXT NOT NULL DEFAULT '',                          -- 解除发布单位
    recorded_by      TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((issuer_org_id IS NULL) <> (issuer_body_id IS NULL)),
    CHECK ((source = '气象预警信号') = (length(trim(signal_name)) > 0)),
    CHECK ((source = '气象预警信号') = (relayed_org_id IS NOT NULL AND relayed_at IS NOT NULL)),
    CHECK (source = '气象预警信号' OR (relayed_org_id IS NULL AND relayed_at IS NULL)),
    CHECK ((status = '已解除') = (lifted_at IS NOT NULL)),
    CHECK ((status = '已调整') = (superseded_at IS NOT NULL)),
    CHECK ((replaces_id IS NULL) = (revision = 1)),
    CHECK (lifted_at IS NULL OR lifted_at >= issued_at)
);
CREATE INDEX warnings_status ON warnings(status, issued_at);

-- 影响范围: the towns (admin_units of level town) a warning covers; at least one (service).
CREATE TABLE warning_towns (
    warning_id INTEGER NOT NULL REFERENCES warnings(id),
    town_id    INTEGER NOT NULL REFERENCES admin_units(id),
    PRIMARY KEY (warning_id, town_id)
) WITHOUT ROWID;
CREATE INDEX warning_towns_town ON warning_towns(town_id);
