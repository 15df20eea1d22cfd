-- 0002: the watch desk: events taken in (接报), their figures, leaders' instructions, the
-- reports sent up, reminders, handovers and video roll-calls. Reporting deadlines are derived
-- from report_deadline_rules and these records (nxcommand.deadlines), never stored.

CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    received_at        TEXT NOT NULL,              -- 接报时间, 'YYYY-MM-DD HH:MM'
    source_kind        TEXT NOT NULL,              -- 电话, 来文, 系统, 视频, 当面, 其他
    caller_unit        TEXT NOT NULL DEFAULT '',
    caller_name        TEXT NOT NULL DEFAULT '',
    caller_post        TEXT NOT NULL DEFAULT '',
    caller_phone       TEXT NOT NULL DEFAULT '',
    informed           TEXT NOT NULL DEFAULT '',   -- whom the caller has already informed
    occurred_at        TEXT NOT NULL,              -- 事发时间
    town_id            INTEGER NOT NULL REFERENCES admin_units(id),
    village_id         INTEGER REFERENCES admin_units(id),
    place              TEXT NOT NULL DEFAULT '',   -- 具体地点 / 事发单位
    site_overview      TEXT NOT NULL DEFAULT '',   -- 事发单位/地点概况
    category_id        INTEGER NOT NULL REFERENCES event_categories(id),
    subtype_id         INTEGER REFERENCES event_subtypes(id),
    grade              INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 4),
    grade_computed     INTEGER NOT NULL DEFAULT 0 CHECK (grade_computed IN (0, 1)),
    sensitive          INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
    cause              TEXT NOT NULL DEFAULT '',   -- 起因、性质、经过
    loss               TEXT NOT NULL DEFAULT '',   -- 财产损失 (description)
    scope              TEXT NOT NULL DEFAULT '',   -- 影响范围
    trend              TEXT NOT NULL DEFAULT '',   -- 发展趋势
    measures           TEXT NOT NULL DEFAULT '',   -- 已采取措施
    leaders_on_scene   TEXT NOT NULL DEFAULT '',   -- 领导到位情况
    requests           TEXT NOT NULL DEFAULT '',   -- 请求事项 / 下一步
    site_contact_name  TEXT NOT NULL DEFAULT '',   -- 现场负责人
    site_contact_post  TEXT NOT NULL DEFAULT '',
    site_contact_phone TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT '处置中' CHECK (status IN ('处置中', '已结束')),
    closed_at          TEXT,
    is_drill           INTEGER NOT NULL DEFAULT 0 CHECK (is_drill IN (0, 1)),
    recorded_by        TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    CHECK (occurred_at <= received_at)
);
CREATE INDEX events_status ON events(status, received_at);

-- Casualty and loss figures: the latest row is current, older rows are the history.
CREATE TABLE event_figures (
    id               INTEGER PRIMARY KEY,
    event_id         INTEGER NOT NULL REFERENCES events(id),
    as_of            TEXT NOT NULL,             -- 'YYYY-MM-DD HH:MM'
    deaths           INTEGER NOT NULL DEFAULT 0 CHECK (deaths >= 0),
    injured          INTEGER NOT NULL DEFAULT 0 CHECK (injured >= 0),
    serious_injured  INTEGER NOT NULL DEFAULT 0 CHECK (serious_injured >= 0 AND serious_injured <= injured),
    missing          INTEGER NOT NULL DEFAULT 0 CHECK (missing >= 0),
    trapped          INTEGER NOT NULL DEFAULT 0 CHECK (trapped >= 0),
    evacuated        INTEGER NOT NULL DEFAULT 0 CHECK (evacuated >= 0),
    direct_loss_yuan INTEGER NOT NULL DEFAULT 0 CHECK (direct_loss_yuan >= 0),
    recorded_by      TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX event_figures_event ON event_figures(event_id, as_of);

-- Leaders' instructions (领导批示) and their follow-up until carried out.
CREATE TABLE instructions (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER REFERENCES events(id),     -- NULL: an instruction not tied to an event
    leader      TEXT NOT NULL,
    given_at    TEXT NOT NULL,
    content     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT '待落实' CHECK (status IN ('待落实', '落实中', '已落实')),
    done_at     TEXT,
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX instructions_open ON instructions(status);

CREATE TABLE instruction_updates (
    id             INTEGER PRIMARY KEY,
    instruction_id INTEGER NOT NULL REFERENCES instructions(id),
    at             TEXT NOT NULL,
    note           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('待落实', '落实中', '已落实')),
    recorded_by    TEXT NOT NULL
);

-- Reports sent up: 电话报告, 书面初报, 续报 (numbered), 核报, 终报.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events(id),
    kind         TEXT NOT NULL CHECK (kind IN ('电话报告', '书面初报', '续报', '核报', '终报')),
    serial       INTEGER NOT NULL DEFAULT 0,        -- 续报一 = 1, 续报二 = 2 …; 0 for the others
    sent_at      TEXT NOT NULL,                     -- 'YYYY-MM-DD HH:MM'
    channel      TEXT NOT NULL,                     -- 电话, 传真, 应急管理信息系统, 政务微信 …
    to_report    TEXT NOT NULL DEFAULT '',          -- 报
    to_send      TEXT NOT NULL DEFAULT '',          -- 送
    to_copy      TEXT NOT NULL DEFAULT '',          -- 抄
    signed_by    TEXT NOT NULL DEFAULT '',          -- 签发
    checked_by   TEXT NOT NULL DEFAULT '',          -- 核稿
    drafted_by   TEXT NOT NULL DEFAULT '',          -- 拟稿
    content      TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (event_id, kind, serial)
);
CREATE INDEX reports_event ON reports(event_id, kind);

-- Reminders the desk keeps for itself (备忘): open until done; handed over while open.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    due_at      TEXT,                                -- optional 'YYYY-MM-DD HH:MM'
    kind        TEXT NOT NULL DEFAULT '备忘' CHECK (kind IN ('备忘', '设备', '通信')),
    done_at     TEXT,
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Handover (交接班): a snapshot of every open item, the outgoing officer's remarks, and the
-- incoming officer's explicit acceptance. Once accepted the record and its items are frozen.
CREATE TABLE handovers (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT NOT NULL,
    outgoing     TEXT NOT NULL,
    incoming     TEXT NOT NULL,
    remarks      TEXT NOT NULL DEFAULT '',
    accepted_at  TEXT,
    CHECK (outgoing <> incoming)
);

CREATE TABLE handover_items (
    id          INTEGER PRIMARY KEY,
    handover_id INTEGER NOT NULL REFERENCES handovers(id),
    section     TEXT NOT NULL,   -- 在办事件, 待报信息, 领导批示, 备忘事项, 设备通信
    text        TEXT NOT NULL,
    due_at      TEXT,
    ref_table   TEXT,            -- where the item came from (events, instructions, reminders)
    ref_id      INTEGER,
    sort_order  INTEGER NOT NULL
);
CREATE INDEX handover_items_handover ON handover_items(handover_id);

CREATE TRIGGER handovers_frozen BEFORE UPDATE ON handovers
WHEN OLD.accepted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, '交接班记录已接收，不能修改'); END;
CREATE TRIGGER handovers_no_delete BEFORE DELETE ON handovers
BEGIN SELECT RAISE(ABORT, '交接班记录不能删除'); END;
CREATE TRIGGER handover_items_frozen_update BEFORE UPDATE ON handover_items
WHEN (SELECT accepted_at FROM handovers WHERE id = OLD.handover_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, '交接班记录已接收，不能修改'); END;
CREATE TRIGGER handover_items_frozen_insert BEFORE INSERT ON handover_items
WHEN (SELECT accepted_at FROM handovers WHERE id = NEW.handover_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, '交接班记录已接收，不能修改'); END;
CREATE TRIGGER handover_items_no_delete BEFORE DELETE ON handover_items
BEGIN SELECT RAISE(ABORT, '交接班记录不能删除'); END;

-- Video roll-call (视频点名/查岗)
CREATE TABLE rollcalls (
    id         INTEGER PRIMARY KEY,
    called_at  TEXT NOT NULL,
    checker    TEXT NOT NULL,       -- who ran the roll-call
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE rollcall_units (
    rollcall_id INTEGER NOT NULL REFERENCES rollcalls(id),
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at TEXT,               -- NULL: did not answer
    result      TEXT NOT NULL CHECK (result IN ('在岗', '迟到应答', '未应答', '脱岗')),
    PRIMARY KEY (rollcall_id, org_id)
) WITHOUT ROWID;
