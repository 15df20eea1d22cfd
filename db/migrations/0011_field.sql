-- 0011: the field (DOMAIN.md §2 一个前方指挥部, and the board's dispatch list).
-- Dispatches send a team, an equipment item or a quantity of one supply (out of one depot,
-- through the ledger) to a response and a destination town/place; the forward HQ is one
-- per response, with its deputies, the working groups present, the "四合一" kit items and
-- their status log, and the log of its link to the command centre.
-- Times are to the minute ('YYYY-MM-DD HH:MM'); services check "not in the future".

CREATE TABLE dispatches (
    id               INTEGER PRIMARY KEY,
    response_id      INTEGER NOT NULL REFERENCES responses(id),
    kind             TEXT NOT NULL CHECK (kind IN ('队伍', '装备', '物资')),
    team_id          INTEGER REFERENCES teams(id),
    equipment_id     INTEGER REFERENCES equipment(id),
    depot_id         INTEGER REFERENCES depots(id),
    item_id          INTEGER REFERENCES supply_items(id),
    quantity         INTEGER CHECK (quantity IS NULL OR quantity >= 1),  -- people, items or units
    movement_id      INTEGER UNIQUE REFERENCES stock_movements(id),      -- the 出库 of a supply
    town_id          INTEGER NOT NULL REFERENCES admin_units(id),        -- destination
    place            TEXT NOT NULL DEFAULT '',
    task             TEXT NOT NULL DEFAULT '',
    ordered_by       INTEGER NOT NULL REFERENCES people(id),
    dispatched_at    TEXT NOT NULL CHECK (dispatched_at GLOB
                         '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    expected_arrival TEXT,
    arrived_at       TEXT,
    returned_at      TEXT,
    recorded_by      TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((kind = '队伍') = (team_id IS NOT NULL)),
    CHECK ((kind = '装备') = (equipment_id IS NOT NULL)),
    CHECK ((kind = '物资') = (depot_id IS NOT NULL AND item_id IS NOT NULL
                              AND quantity IS NOT NULL AND movement_id IS NOT NULL)),
    CHECK (kind = '物资' OR (depot_id IS NULL AND item_id IS NULL AND movement_id IS NULL)),
    CHECK (kind <> '物资' OR returned_at IS NULL),          -- supplies are used, not brought back
    CHECK (expected_arrival IS NULL OR expected_arrival > dispatched_at),
    CHECK (arrived_at IS NULL OR arrived_at > dispatched_at),
    CHECK (returned_at IS NULL OR returned_at > coalesce(arrived_at, dispatched_at))
);
CREATE INDEX dispatches_response ON dispatches(response_id, dispatched_at);
CREATE INDEX dispatches_team ON dispatches(team_id) WHERE team_id IS NOT NULL;
CREATE INDEX dispatches_equipment ON dispatches(equipment_id) WHERE equipment_id IS NOT NULL;

-- One forward HQ (前方指挥部) per response.
CREATE TABLE forward_hqs (
    id                 INTEGER PRIMARY KEY,
    response_id        INTEGER NOT NULL UNIQUE REFERENCES responses(id),
    town_id            INTEGER NOT NULL REFERENCES admin_units(id),
    place              TEXT NOT NULL CHECK (length(trim(place)) > 0),
    lon                REAL CHECK (lon IS NULL OR lon BETWEEN 73 AND 136),
    lat                REAL CHECK (lat IS NULL OR lat BETWEEN 3 AND 54),
    phone              TEXT NOT NULL DEFAULT '',                 -- 前指值班电话
    established_at     TEXT NOT NULL,
    commander_id       INTEGER REFERENCES people(id),            -- 现场指挥官, once named
    commander_named_at TEXT,
    withdrawn_at       TEXT,                                     -- 撤收
    note               TEXT NOT NULL DEFAULT '',
    recorded_by        TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((lon IS NULL) = (lat IS NULL)),
    CHECK ((commander_id IS NULL) = (commander_named_at IS NULL)),
    CHECK (commander_named_at IS NULL OR commander_named_at >= established_at),
    CHECK (withdrawn_at IS NULL OR withdrawn_at > established_at)
);

-- Deputy commanders: the PLA (人武部) and the armed police (武警) may each name one.
CREATE TABLE hq_deputies (
    id        INTEGER PRIMARY KEY,
    hq_id     INTEGER NOT NULL REFERENCES forward_hqs(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    side      TEXT NOT NULL CHECK (side IN ('解放军', '武警', '地方')),
    org_id    INTEGER REFERENCES organizations(id),
    named_at  TEXT NOT NULL,
    UNIQUE (hq_id, person_id)
);
CREATE UNIQUE INDEX hq_deputies_one_per_force ON hq_deputies(hq_id, side) WHERE side IN ('解放军', '武警');

-- Working groups (of the response) present at the forward HQ.
CREATE TABLE hq_groups (
    hq_id      INTEGER NOT NULL REFERENCES forward_hqs(id),
    group_id   INTEGER NOT NULL REFERENCES response_groups(id),
    arrived_at TEXT NOT NULL,
    PRIMARY KEY (hq_id, group_id)
);

-- The "四合一" kit items at the HQ (from the equipment register), with the operator there.
CREATE TABLE hq_kit (
    id           INTEGER PRIMARY KEY,
    hq_id        INTEGER NOT NULL REFERENCES forward_hqs(id),
    equipment_id INTEGER NOT NULL REFERENCES equipment(id),
    role         TEXT NOT NULL CHECK (role IN ('卫星通信', '无人机', '指挥车', '智能单兵终端')),
    operator_id  INTEGER REFERENCES people(id),
    added_at     TEXT NOT NULL,
    UNIQUE (hq_id, equipment_id)
);

-- Status of each kit item; the current status is the latest entry.
CREATE TABLE hq_kit_status (
    id          INTEGER PRIMARY KEY,
    kit_id      INTEGER NOT NULL REFERENCES hq_kit(id),
    status      TEXT NOT NULL CHECK (status IN ('在线', '离线', '故障')),
    at          TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0)
);
CREATE INDEX hq_kit_status_kit ON hq_kit_status(kit_id, at);

-- The link between the HQ and the command centre; the current state is the latest entry.
CREATE TABLE hq_link_log (
    id          INTEGER PRIMARY KEY,
    hq_id       INTEGER NOT NULL REFERENCES forward_hqs(id),
    state       TEXT NOT NULL CHECK (state IN ('连通', '中断')),
    at          TEXT NOT NULL,
    means       TEXT NOT NULL DEFAULT '',          -- 卫星 / 公网 / 专网 / 短波 …
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0)
);
CREATE INDEX hq_link_log_hq ON hq_link_log(hq_id, at);
