-- 0001: master data and reference data.
-- Applied once, in one transaction, by nxcommand.store; PRAGMA user_version records it.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Administrative units: county -> 镇/街道 -> 村/社区
CREATE TABLE admin_units (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('county', 'town', 'village')),
    kind      TEXT NOT NULL,                       -- 县级市, 镇, 街道, 村, 社区
    parent_id INTEGER REFERENCES admin_units(id),
    lon       REAL,
    lat       REAL,
    CHECK ((level = 'county') = (parent_id IS NULL)),
    UNIQUE (parent_id, name)
);
CREATE INDEX admin_units_parent ON admin_units(parent_id);

-- Organisations and member units
CREATE TABLE organizations (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    short_name    TEXT,
    kind          TEXT NOT NULL,   -- 党委部门, 政府部门, 垂直管理, 驻地部队, 乡镇政府, 村居委会, 企业, 社会组织, 群团组织
    admin_unit_id INTEGER REFERENCES admin_units(id),
    duty_phone    TEXT,
    address       TEXT,
    sort_order    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX organizations_unit ON organizations(admin_unit_id);

-- Role tags carried by people (带班领导, 值班员, 指挥长 ...): reference data
CREATE TABLE role_tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL DEFAULT 0
);

-- People / contacts. sort_key and search_key are derived (name, pinyin, initials, unit, post,
-- roles, phone digits) and kept by nxcommand.contacts on every write.
CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    org_id         INTEGER REFERENCES organizations(id),
    post           TEXT NOT NULL DEFAULT '',
    mobile         TEXT,
    office_phone   TEXT,
    note           TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    retired_at     TEXT,
    retired_reason TEXT,
    sort_key       TEXT NOT NULL DEFAULT '',   -- unit order + pinyin of the name: display order
    search_key     TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,  -- bumped on every write: detects conflicting edits
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX people_org ON people(org_id);
CREATE INDEX people_active_sort ON people(active, sort_key);

CREATE TABLE person_roles (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role_tag_id INTEGER NOT NULL REFERENCES role_tags(id),
    PRIMARY KEY (person_id, role_tag_id)
) WITHOUT ROWID;
CREATE INDEX person_roles_tag ON person_roles(role_tag_id);

-- Command bodies (应急委, 安委会, 三防指挥部 ...) with member units and posts
CREATE TABLE command_bodies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    short_name    TEXT,
    office_org_id INTEGER REFERENCES organizations(id),   -- 办公室设在
    duties        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE command_body_members (
    body_id INTEGER NOT NULL REFERENCES command_bodies(id) ON DELETE CASCADE,
    org_id  INTEGER NOT NULL REFERENCES organizations(id),
    role    TEXT NOT NULL CHECK (role IN ('牵头单位', '办公室', '成员单位')),
    PRIMARY KEY (body_id, org_id)
) WITHOUT ROWID;

CREATE TABLE command_body_posts (
    id         INTEGER PRIMARY KEY,
    body_id    INTEGER NOT NULL REFERENCES command_bodies(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL,     -- 主任, 副主任, 指挥长, 副指挥长, 办公室主任, 成员
    sort_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX command_body_posts_body ON command_body_posts(body_id);

-- ---------------------------------------------------------------- reference data
-- Defaults follow DOMAIN.md; all of it is editable by the administrator.

CREATE TABLE event_categories (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE event_subtypes (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES event_categories(id),
    name        TEXT NOT NULL,
    -- 'production_safety': grade computed from the figures; 'chosen': picked per special plan
    grading     TEXT NOT NULL DEFAULT 'chosen' CHECK (grading IN ('production_safety', 'chosen')),
    sort_order  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (category_id, name)
);

-- 特别重大 / 重大 / 较大 / 一般 = grade 1..4
CREATE TABLE severity_grades (
    id    INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4),
    name  TEXT NOT NULL UNIQUE,
    roman TEXT NOT NULL
);

-- 生产安全事故 grading criteria ("以上" includes the figure itself)
CREATE TABLE production_safety_thresholds (
    grade_id          INTEGER PRIMARY KEY REFERENCES severity_grades(id) CHECK (grade_id BETWEEN 1 AND 3),
    deaths            INTEGER NOT NULL CHECK (deaths > 0),
    serious_injuries  INTEGER NOT NULL CHECK (serious_injuries > 0),
    direct_loss_yuan  INTEGER NOT NULL CHECK (direct_loss_yuan > 0)
);

CREATE TABLE warning_levels (
    id         INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4),
    name       TEXT NOT NULL UNIQUE,     -- 一级
    color_name TEXT NOT NULL,            -- 红色
    color_hex  TEXT NOT NULL CHECK (color_hex GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]')
);

CREATE TABLE response_levels (
    id        INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4),
    name      TEXT NOT NULL UNIQUE,      -- 一级
    roman     TEXT NOT NULL,             -- Ⅰ级
    color_hex TEXT NOT NULL
);

-- Reporting-deadline rules, keyed by category / grade / sensitivity x report kind.
-- An event matches a rule when its category matches (NULL = any) and either its grade is at
-- least max_grade (1 = 特别重大 ... 4 = 一般) or the event is sensitive and the rule says so.
-- A rule naming a subtype takes precedence over its category's rule of the same report kind.
CREATE TABLE report_deadline_rules (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    category_id    INTEGER REFERENCES event_categories(id),
    subtype_id     INTEGER REFERENCES event_subtypes(id),
    max_grade      INTEGER NOT NULL DEFAULT 4 CHECK (max_grade BETWEEN 1 AND 4),
    when_sensitive INTEGER NOT NULL DEFAULT 0 CHECK (when_sensitive IN (0, 1)),
    report_kind    TEXT NOT NULL CHECK (report_kind IN ('电话报告', '书面初报', '续报', '核报', '终报')),
    due_minutes    INTEGER CHECK (due_minutes IS NULL OR due_minutes > 0),  -- after 接报
    daily_at       TEXT CHECK (daily_at IS NULL OR daily_at GLOB '[0-2][0-9]:[0-5][0-9]'),
    repeat_days    INTEGER CHECK (repeat_days IS NULL OR repeat_days > 0),
    note           TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    CHECK (due_minutes IS NOT NULL OR daily_at IS NOT NULL)
);

-- Statutory holidays come from the chinese-calendar library; this table holds the
-- administrator's corrections and years the library does not know yet.
CREATE TABLE holiday_overrides (
    day  TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL DEFAULT ''
);

-- ------------------------------------------------------------------------ defaults

INSERT INTO role_tags (name, sort_order) VALUES
    ('带班领导', 1), ('值班员', 2), ('指挥长', 3), ('副指挥长', 4), ('现场指挥官', 5),
    ('新闻发言人', 6), ('灾害信息员', 7), ('网格员', 8), ('专家', 9), ('队伍负责人', 10);

INSERT INTO event_categories (id, name, sort_order) VALUES
    (1, '自然灾害', 1), (2, '事故灾难', 2), (3, '公共卫生事件', 3), (4, '社会安全事件', 4);

INSERT INTO event_subtypes (category_id, name, grading, sort_order) VALUES
    (1, '防汛', 'chosen', 1), (1, '防旱', 'chosen', 2), (1, '防风（台风）', 'chosen', 3),
    (1, '防冻（低温雨雪冰冻）', 'chosen', 4), (1, '森林火灾', 'chosen', 5),
    (1, '地质灾害', 'chosen', 6), (1, '地震', 'chosen', 7), (1, '气象灾害', 'chosen', 8),
    (2, '危险化学品', 'production_safety', 1), (2, '道路交通', 'production_safety', 2),
    (2, '火灾', 'production_safety', 3), (2, '矿山', 'production_safety', 4),
    (2, '建筑施工', 'production_safety', 5), (2, '工贸', 'production_safety', 6),
    (2, '燃气', 'production_safety', 7), (2, '特种设备', 'production_safety', 8),
    (2, '水上交通', 'production_safety', 9), (2, '环境污染', 'chosen', 10),
    (2, '供电供水等基础设施', 'chosen', 11),
    (3, '传染病疫情', 'chosen', 1), (3, '食物中毒', 'chosen', 2), (3, '动物疫情', 'chosen', 3),
    (4, '群体性事件', 'chosen', 1), (4, '恐怖袭击', 'chosen', 2), (4, '涉外突发事件', 'chosen', 3);

INSERT INTO severity_grades (id, name, roman) VALUES
    (1, '特别重大', 'Ⅰ'), (2, '重大', 'Ⅱ'), (3, '较大', 'Ⅲ'), (4, '一般', 'Ⅳ');

INSERT INTO production_safety_thresholds (grade_id, deaths, serious_injuries, direct_loss_yuan) VALUES
    (1, 30, 100, 100000000), (2, 10, 50, 50000000), (3, 3, 10, 10000000);

INSERT INTO warning_levels (id, name, color_name, color_hex) VALUES
    (1, '一级', '红色', '#D32F2F'), (2, '二级', '橙色', '#F57C00'),
    (3, '三级', '黄色', '#F9C80E'), (4, '四级', '蓝色', '#1E6FD9');

INSERT INTO response_levels (id, name, roman, color_hex) VALUES
    (1, '一级', 'Ⅰ级', '#D32F2F'), (2, '二级', 'Ⅱ级', '#F57C00'),
    (3, '三级', 'Ⅲ级', '#F9C80E'), (4, '四级', 'Ⅳ级', '#1E6FD9');

INSERT INTO report_deadline_rules
    (name, category_id, max_grade, when_sensitive, report_kind, due_minutes, daily_at, repeat_days, note) VALUES
    ('较大及以上或敏感事件：电话报告', NULL, 3, 1, '电话报告', 30, NULL, NULL, '接报后30分钟内电话报告上一级'),
    ('较大及以上或敏感事件：书面报告', NULL, 3, 1, '书面初报', 60, NULL, NULL, '接报后60分钟内书面报告'),
    ('生产安全事故：逐级上报', 2, 4, 0, '书面初报', 120, NULL, NULL, '每级上报时间不超过2小时'),
    ('生产安全事故：伤亡变化续报', 2, 4, 0, '续报', NULL, '09:00', 30, '伤亡人数变化自事故发生之日起30日内续报（道路交通、火灾7日）'),
    ('自然灾害：初报', 1, 4, 0, '书面初报', 120, NULL, NULL, '灾情发生后2小时内初报'),
    ('自然灾害：续报', 1, 4, 0, '续报', NULL, '09:00', NULL, '每日9时前续报截至24时的灾情，直至灾情稳定');

-- Road traffic and fire: casualty changes re-reported for 7 days (overrides the 30-day rule).
INSERT INTO report_deadline_rules
    (name, category_id, subtype_id, max_grade, report_kind, daily_at, repeat_days, note)
SELECT '生产安全事故（' || name || '）：伤亡变化续报', 2, id, 4, '续报', '09:00', 7,
       '道路交通、火灾事故伤亡人数变化自发生之日起7日内续报'
FROM event_subtypes WHERE category_id = 2 AND name IN ('道路交通', '火灾');
