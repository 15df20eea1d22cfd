-- 0014: the audit trail (issue 7). One row per write to any table: who, when, what, the
-- row's image before and after as JSON, and a hash chain: each record carries the hash of
-- the previous one, so a record changed, removed or inserted out of order is detected
-- (`nxcommand check`). The triggers that fill it are generated for every table by
-- nxcommand.audit.install at each open, from the tables' current columns; they call SQL
-- functions the program registers on its connections (nx_actor, nx_sha, nx_link), so a
-- program without them cannot write to an audited table at all.
--
-- Records are never updated or deleted, with one exception: a purge of personal data
-- (突发事件应对法 第八十五条) blanks the before/after images of the purged rows' records in
-- the personal tables (redacted = 1). Their payload hash stays, so the chain still verifies.

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,                        -- wall clock, 'YYYY-MM-DD HH:MM:SS'
    actor        TEXT NOT NULL,                        -- 张三（zhangsan）, 系统, 未登录 …
    tbl          TEXT NOT NULL,
    row_id       TEXT NOT NULL,                        -- rowid, or a JSON array of the key
    op           TEXT NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE', 'BASE')),
    before       TEXT,
    after        TEXT,
    payload_hash TEXT NOT NULL,                        -- sha256 of before and after
    prev_hash    TEXT NOT NULL,                        -- the previous record's hash ('' first)
    hash         TEXT NOT NULL,
    redacted     INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1))
);
CREATE INDEX audit_log_row ON audit_log(tbl, row_id, seq);
CREATE INDEX audit_log_at ON audit_log(at);

-- Tables whose audit images a personal-data purge may blank (nxcommand.audit.PERSONAL_TABLES).
CREATE TABLE audit_personal_tables (name TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO audit_personal_tables VALUES ('response_people');

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计记录不可删除');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.before IS NULL AND NEW.after IS NULL
          AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor = OLD.actor
          AND NEW.tbl = OLD.tbl AND NEW.row_id = OLD.row_id AND NEW.op = OLD.op
          AND NEW.payload_hash = OLD.payload_hash AND NEW.prev_hash = OLD.prev_hash
          AND NEW.hash = OLD.hash
          AND OLD.tbl IN (SELECT name FROM audit_personal_tables))
BEGIN
    SELECT RAISE(ABORT, '审计记录不可修改');
END;
