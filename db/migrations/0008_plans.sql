-- 0008_plans: the plan library (预案), DOMAIN.md §7.
-- A plan holds its response levels (start criteria, who may start each level, the actions
-- checklist the level adds) and the working-group template a response instantiates.

-- Deadlines on plans: filing after issue, drill and evaluation cycles. Editable reference data.
CREATE TABLE plan_deadline_rules (
    kind   TEXT PRIMARY KEY CHECK (kind IN ('预案备案', '预案演练', '预案评估')),
    amount INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 400),
    unit   TEXT NOT NULL CHECK (unit IN ('工作日', '年')),
    note   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE plans (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind               TEXT NOT NULL CHECK (kind IN ('总体', '专项', '部门', '乡镇（街道）', '村（社区）',
                                                      '企业', '联合', '应急工作手册', '应急处置卡')),
    subtype_id         INTEGER REFERENCES event_subtypes(id),     -- the hazard it answers
    body_id            INTEGER REFERENCES command_bodies(id),     -- the command body that runs it
    lead_org_id        INTEGER REFERENCES organizations(id),      -- 牵头（编制）单位
    approver           TEXT NOT NULL DEFAULT '',                  -- 批准机关, e.g. 南雄市人民政府
    doc_number         TEXT NOT NULL DEFAULT '',                  -- 文号: 雄府办〔2024〕12号
    issued_on          TEXT CHECK (issued_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    filed_on           TEXT CHECK (filed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    last_drill_on      TEXT CHECK (last_drill_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    last_evaluation_on TEXT CHECK (last_evaluation_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    status             TEXT NOT NULL DEFAULT '现行' CHECK (status IN ('现行', '修订中', '废止')),
    note               TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (status != '现行' OR issued_on IS NOT NULL),
    CHECK (filed_on IS NULL OR issued_on IS NULL OR filed_on >= issued_on)
);
CREATE INDEX plans_subtype ON plans(subtype_id);

-- The response levels a plan defines (not every plan has all four).
CREATE TABLE plan_levels (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    level      INTEGER NOT NULL REFERENCES response_levels(id) CHECK (level BETWEEN 1 AND 4),
    criteria   TEXT NOT NULL CHECK (length(trim(criteria)) > 0),   -- 启动条件
    escalation TEXT NOT NULL DEFAULT '',                           -- 报请上级, e.g. 报请韶关市启动
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, level)
);

-- Who may start a level: posts of command bodies (resolved to people through command_body_posts).
CREATE TABLE plan_level_deciders (
    plan_level_id INTEGER NOT NULL REFERENCES plan_levels(id) ON DELETE CASCADE,
    body_id       INTEGER NOT NULL REFERENCES command_bodies(id),
    post_role     TEXT NOT NULL CHECK (length(trim(post_role)) > 0),
    sort_order    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_level_id, body_id, post_role)
) WITHOUT ROWID;

-- The working-group template (综合协调组, 抢险救援组 …).
CREATE TABLE plan_groups (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    lead_org_id INTEGER NOT NULL REFERENCES organizations(id),
    duties      TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (plan_id, name)
);

CREATE TABLE plan_group_members (
    group_id   INTEGER NOT NULL REFERENCES plan_groups(id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    sort_order INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, org_id)
) WITHOUT ROWID;

-- The actions a level adds (raising a level adds the higher level's items to what is running).
-- The owner is one of the plan's working groups or a unit; a group that still owns an item
-- cannot be removed (RESTRICT).
CREATE TABLE plan_level_actions (
    id             INTEGER PRIMARY KEY,
    plan_level_id  INTEGER NOT NULL REFERENCES plan_levels(id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL CHECK (seq > 0),
    action         TEXT NOT NULL CHECK (length(trim(action)) > 0),
    owner_group_id INTEGER REFERENCES plan_groups(id) ON DELETE RESTRICT,
    owner_org_id   INTEGER REFERENCES organizations(id),
    due_minutes    INTEGER CHECK (due_minutes IS NULL OR due_minutes BETWEEN 1 AND 43200),
    CHECK (owner_group_id IS NULL OR owner_org_id IS NULL),
    UNIQUE (plan_level_id, seq)
);
CREATE INDEX plan_level_actions_group ON plan_level_actions(owner_group_id);

INSERT INTO plan_deadline_rules (kind, amount, unit, note) VALUES
    ('预案备案', 20, '工作日', '应急预案印发之日起20个工作日内报送备案'),
    ('预案演练', 3, '年', '应急预案至少每3年组织一次演练'),
    ('预案评估', 3, '年', '应急预案至少每3年进行一次评估');
