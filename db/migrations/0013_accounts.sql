-- 0013: local accounts, their roles and the login record (issue 7, users and roles).
-- Passwords are stored only as Argon2id hashes (nxcommand.accounts); no table ever holds a
-- password. The login is unique whatever its case. The lockout numbers (5 failures, 15
-- minutes) are settings in nxcommand.accounts.LOCKOUT, overridable in meta.

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL COLLATE NOCASE UNIQUE
                         CHECK (length(login) BETWEEN 3 AND 32),
    display_name         TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    person_id            INTEGER REFERENCES people(id),       -- the contact this account is
    password_hash        TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_count         INTEGER NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    locked_until         TEXT,                                 -- 'YYYY-MM-DD HH:MM:SS'
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    password_changed_at  TEXT NOT NULL,
    last_login_at        TEXT,
    created_by           TEXT NOT NULL DEFAULT '',             -- '' for the first (bootstrap) account
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX accounts_person ON accounts(person_id);

CREATE TABLE account_roles (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role       TEXT NOT NULL
               CHECK (role IN ('值班员', '带班领导', '指挥长', '新闻发布', '管理员', '只读')),
    PRIMARY KEY (account_id, role)
) WITHOUT ROWID;

-- Every login attempt. account_id is NULL when the login typed matches no account; the
-- login text is kept as typed (trimmed, at most 64 characters). Never a password.
CREATE TABLE login_events (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id),
    login      TEXT NOT NULL,
    at         TEXT NOT NULL,
    result     TEXT NOT NULL CHECK (result IN ('成功', '密码错误', '已锁定', '已停用'))
);
CREATE INDEX login_events_account ON login_events(account_id, at);
CREATE INDEX login_events_at ON login_events(at);

-- The login record is append-only.
CREATE TRIGGER login_events_no_update BEFORE UPDATE ON login_events
BEGIN
    SELECT RAISE(ABORT, '登录记录不可修改');
END;
CREATE TRIGGER login_events_no_delete BEFORE DELETE ON login_events
BEGIN
    SELECT RAISE(ABORT, '登录记录不可删除');
END;
