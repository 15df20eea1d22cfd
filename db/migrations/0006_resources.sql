-- 0006: resource registers (DOMAIN.md §6, §2 特殊群体"四个一"): rescue teams with their status
-- history, experts, equipment including the "四合一" command kit, shelters, and the register
-- of vulnerable people with their transfer contact and destination shelter.
-- Enumerations are CHECK constraints; nxcommand/teams.py etc. hold the same lists for forms.

-- ---------------------------------------------------------------- teams (应急救援队伍)
-- standby (备勤) levels: 一级备勤 = assembled and ready to leave within 30 min,
-- 二级备勤 = within 1 h, 三级备勤 = within 2 h, 日常备勤 = routine (reachable, no assembly).
CREATE TABLE teams (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind             TEXT NOT NULL CHECK (kind IN ('综合性消防救援', '专业', '基层', '企业专兼职',
                                                   '志愿者', '社会应急力量', '民兵/武警')),
    specialty        TEXT NOT NULL DEFAULT '',
    headcount        INTEGER NOT NULL CHECK (headcount >= 1),
    leader_id        INTEGER NOT NULL REFERENCES people(id),
    town_id          INTEGER NOT NULL REFERENCES admin_units(id),
    village_id       INTEGER REFERENCES admin_units(id),
    org_id           INTEGER REFERENCES organizations(id),
    equipment        TEXT NOT NULL DEFAULT '',
    standby          TEXT NOT NULL DEFAULT '日常备勤'
                     CHECK (standby IN ('一级备勤', '二级备勤', '三级备勤', '日常备勤')),
    status           TEXT NOT NULL DEFAULT '待命' CHECK (status IN ('待命', '出动', '在场', '返回')),
    status_at        TEXT NOT NULL,
    meets_standard   INTEGER NOT NULL DEFAULT 1 CHECK (meets_standard IN (0, 1)),
    insurance_expiry TEXT CHECK (insurance_expiry IS NULL
                                 OR insurance_expiry GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    lon              REAL CHECK (lon IS NULL OR lon BETWEEN 73 AND 136),
    lat              REAL CHECK (lat IS NULL OR lat BETWEEN 3 AND 54),
    note             TEXT NOT NULL DEFAULT '',
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    retired_at       TEXT,
    retired_reason   TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX teams_town ON teams(town_id);
CREATE INDEX teams_leader ON teams(leader_id);
CREATE INDEX teams_insurance ON teams(insurance_expiry) WHERE active = 1;

-- Every status change, for the response timeline (who moved when).
CREATE TABLE team_status_changes (
    id        INTEGER PRIMARY KEY,
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    status    TEXT NOT NULL CHECK (status IN ('待命', '出动', '在场', '返回')),
    changed_at TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX team_status_changes_team ON team_status_changes(team_id, changed_at);

-- ---------------------------------------------------------------- experts (专家)
CREATE TABLE experts (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL UNIQUE REFERENCES people(id),
    field      TEXT NOT NULL CHECK (field IN ('防汛抗旱', '地质灾害', '森林防火', '危险化学品', '矿山',
                                              '地震', '医疗救护', '气象', '水利', '建筑结构', '电力',
                                              '通信', '交通运输', '消防', '其他')),
    title      TEXT NOT NULL DEFAULT '',       -- 职称
    employer   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- ---------------------------------------------------------------- equipment (装备)
-- Held by a team or by an organisation (exactly one). four_in_one marks the items of the
-- "四合一" command kit (卫星通信, 无人机, 指挥车, 智能单兵终端) with their operator and call sign.
CREATE TABLE equipment (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('通信', '专业机械', '专用车辆', '无人机', '破拆', '生命支撑',
                                              '单兵', '照明', '排水', '其他')),
    hazard_kit  TEXT NOT NULL DEFAULT '' CHECK (hazard_kit IN ('', '防汛抗旱', '低温冰冻', '地质灾害',
                                                              '森林火灾', '城市内涝')),
    model       TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL CHECK (quantity >= 1),
    unit        TEXT NOT NULL DEFAULT '台',
    team_id     INTEGER REFERENCES teams(id),
    org_id      INTEGER REFERENCES organizations(id),
    town_id     INTEGER REFERENCES admin_units(id),
    status      TEXT NOT NULL DEFAULT '完好待命' CHECK (status IN ('完好待命', '在用', '维修', '停用')),
    four_in_one TEXT CHECK (four_in_one IS NULL
                            OR four_in_one IN ('卫星通信', '无人机', '指挥车', '智能单兵终端')),
    operator_id INTEGER REFERENCES people(id),
    call_sign   TEXT NOT NULL DEFAULT '',
    lon         REAL CHECK (lon IS NULL OR lon BETWEEN 73 AND 136),
    lat         REAL CHECK (lat IS NULL OR lat BETWEEN 3 AND 54),
    note        TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((team_id IS NULL) != (org_id IS NULL)),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX equipment_team ON equipment(team_id);
CREATE INDEX equipment_org ON equipment(org_id);
CREATE INDEX equipment_kit ON equipment(four_in_one) WHERE four_in_one IS NOT NULL;
CREATE UNIQUE INDEX equipment_call_sign ON equipment(call_sign) WHERE call_sign != '';

-- ---------------------------------------------------------------- shelters (避难场所)
CREATE TABLE shelters (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    level        TEXT NOT NULL CHECK (level IN ('紧急避难场所', '固定避难场所', '中心避难场所')),
    setting      TEXT NOT NULL DEFAULT '室内' CHECK (setting IN ('室内', '室外', '室内外')),
    area_m2      REAL NOT NULL CHECK (area_m2 > 0),
    capacity     INTEGER NOT NULL CHECK (capacity >= 1),
    facilities   TEXT NOT NULL DEFAULT '',
    access       TEXT NOT NULL DEFAULT '',
    town_id      INTEGER NOT NULL REFERENCES admin_units(id),
    village_id   INTEGER REFERENCES admin_units(id),
    address      TEXT NOT NULL DEFAULT '',
    manager_id   INTEGER REFERENCES people(id),
    lon          REAL CHECK (lon IS NULL OR lon BETWEEN 73 AND 136),
    lat          REAL CHECK (lat IS NULL OR lat BETWEEN 3 AND 54),
    occupancy    INTEGER NOT NULL DEFAULT 0,
    occupancy_at TEXT,
    note         TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (occupancy BETWEEN 0 AND capacity),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX shelters_town ON shelters(town_id);

-- ------------------------------------------- vulnerable people (特殊群体临灾转移"四个一")
-- 每户一对接 (contact_id), 每村一台账 (by village), 每镇一张网 (by town), 每灾一行动 (step 4).
CREATE TABLE vulnerable_people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    village_id INTEGER NOT NULL REFERENCES admin_units(id),
    category   TEXT NOT NULL CHECK (category IN ('独居老人', '留守儿童', '残疾人', '孕产妇', '重病患者', '其他')),
    needs      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    contact_id INTEGER REFERENCES people(id),
    route      TEXT NOT NULL DEFAULT '',
    shelter_id INTEGER REFERENCES shelters(id),
    note       TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX vulnerable_people_village ON vulnerable_people(village_id);
CREATE INDEX vulnerable_people_shelter ON vulnerable_people(shelter_id);
