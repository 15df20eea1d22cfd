-- 0015: name-level records of the people a response deals with (伤亡人员、失联人员、被困人员、
-- 转移安置人员) and their purge after the response ends (突发事件应对法 第八十五条: personal data
-- obtained for the response is used only for it and destroyed when the work ends, unless kept
-- longer for 依法作证 or 调查、评估 after approval). nxcommand.personal is the only writer.
--
-- A purge blanks the identifying columns of every row of one response (name → '（已清除）',
-- id_number/phone/next_of_kin NULL, village/address/notes emptied, exact age → a ten-year
-- band) and keeps kind, sex, town, status, shelter and hospital so the statistics survive.

CREATE TABLE response_people (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses(id),
    event_id    INTEGER REFERENCES events(id),              -- the response's event, when it has one
    kind        TEXT NOT NULL CHECK (kind IN ('受伤', '死亡', '失联', '被困', '转移安置')),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    sex         TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', '男', '女')),
    age         INTEGER CHECK (age IS NULL OR age BETWEEN 0 AND 130),
    age_band    TEXT NOT NULL DEFAULT '',                   -- '60–69岁', set by the purge
    id_number   TEXT CHECK (id_number IS NULL OR length(id_number) = 18),   -- GB 11643
    phone       TEXT,
    town_id     INTEGER REFERENCES admin_units(id),
    village_id  INTEGER REFERENCES admin_units(id),
    address     TEXT NOT NULL DEFAULT '',                   -- 组、门牌 or other detail
    status      TEXT NOT NULL DEFAULT '',                   -- 在院治疗, 搜寻中, 已救出, 在安置点 …
    shelter_id  INTEGER REFERENCES shelters(id),
    hospital    TEXT NOT NULL DEFAULT '',
    next_of_kin TEXT,                                       -- 亲属联系人 and phone, free text
    notes       TEXT NOT NULL DEFAULT '',
    void_reason TEXT NOT NULL DEFAULT '',                   -- '' unless 作废 (entered in error)
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    purged_at   TEXT,
    CHECK (purged_at IS NULL OR (name = '（已清除）' AND id_number IS NULL AND phone IS NULL
                                 AND next_of_kin IS NULL AND village_id IS NULL AND address = ''
                                 AND notes = '' AND age IS NULL))
);
-- No index on a personal column: an index would be one more copy to erase.
CREATE INDEX response_people_response ON response_people(response_id, kind);

-- A purged row is frozen; rows are never deleted (作废 instead), so the counts survive.
CREATE TRIGGER response_people_purged BEFORE UPDATE ON response_people
WHEN OLD.purged_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, '该人员信息已清除，不能再修改'); END;
CREATE TRIGGER response_people_no_delete BEFORE DELETE ON response_people
BEGIN SELECT RAISE(ABORT, '人员信息不能删除：登记有误请作废，个人信息按期清除'); END;

-- 延期保存 (第八十五条: 依法作证 or 调查、评估), approved by a named person; while a hold is
-- active (lifted_at NULL) the response's personal data is not purged. History is kept.
CREATE TABLE personal_holds (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES responses(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('依法作证', '调查', '评估')),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    approved_by TEXT NOT NULL CHECK (length(trim(approved_by)) > 0),
    placed_at   TEXT NOT NULL,
    placed_by   TEXT NOT NULL,
    lifted_at   TEXT,
    lifted_by   TEXT NOT NULL DEFAULT '',
    lift_reason TEXT NOT NULL DEFAULT '',
    CHECK ((lifted_at IS NULL) = (lifted_by = '')),
    CHECK (lifted_at IS NULL OR length(trim(lift_reason)) > 0)
);
CREATE UNIQUE INDEX personal_holds_active ON personal_holds(response_id) WHERE lifted_at IS NULL;
CREATE TRIGGER personal_holds_frozen BEFORE UPDATE ON personal_holds
WHEN OLD.lifted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, '已解除的延期保存记录不能修改'); END;
CREATE TRIGGER personal_holds_no_delete BEFORE DELETE ON personal_holds
BEGIN SELECT RAISE(ABORT, '延期保存记录不能删除'); END;

-- Each purge: which response, when, by whom (an account or 个人信息定期清除), how many rows,
-- under which retention. Append-only.
CREATE TABLE personal_purges (
    id             INTEGER PRIMARY KEY,
    response_id    INTEGER NOT NULL REFERENCES responses(id),
    purged_at      TEXT NOT NULL,
    purged_by      TEXT NOT NULL CHECK (length(trim(purged_by)) > 0),
    rows_purged    INTEGER NOT NULL CHECK (rows_purged > 0),
    retention_days INTEGER NOT NULL CHECK (retention_days >= 0),
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX personal_purges_response ON personal_purges(response_id);
CREATE TRIGGER personal_purges_no_update BEFORE UPDATE ON personal_purges
BEGIN SELECT RAISE(ABORT, '个人信息清除记录不可修改'); END;
CREATE TRIGGER personal_purges_no_delete BEFORE DELETE ON personal_purges
BEGIN SELECT RAISE(ABORT, '个人信息清除记录不可删除'); END;

-- Days after a response ends before its personal data is purged (0 = at the next run).
INSERT OR IGNORE INTO meta (key, value) VALUES ('personal_retention_days', '30');
