-- 0012: the release window (一个窗口发布). One spokesperson and one releasing unit per
-- response (changes kept as a history); releases go 草稿 → 审核中 (三审: 初审, 复审, 终审, in
-- order, each a record with reviewer and time, pass or return) → 已通过 → 已发布 (time and
-- channels). Every edit of the text is a new version; editing after review restarts it.
-- Release deadlines (first authoritative release, first press conference) are reference
-- data: editable rules, never constants. Times are to the minute ('YYYY-MM-DD HH:MM').

-- The spokesperson and releasing unit of a response: the latest row is current.
CREATE TABLE release_windows (
    id             INTEGER PRIMARY KEY,
    response_id    INTEGER NOT NULL REFERENCES responses(id),
    spokesperson_id INTEGER NOT NULL REFERENCES people(id),
    org_id         INTEGER NOT NULL REFERENCES organizations(id),   -- 发布单位
    set_at         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',                        -- why it changed
    recorded_by    TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    created_at     TEXT NOT NULL
);
CREATE INDEX release_windows_response ON release_windows(response_id, id);

CREATE TABLE releases (
    id           INTEGER PRIMARY KEY,
    response_id  INTEGER NOT NULL REFERENCES responses(id),
    state        TEXT NOT NULL DEFAULT '草稿'
                 CHECK (state IN ('草稿', '审核中', '已退回', '已通过', '已发布')),
    published_at TEXT,
    published_by TEXT NOT NULL DEFAULT '',
    spokesperson_id INTEGER REFERENCES people(id),     -- the window at publication
    org_id       INTEGER REFERENCES organizations(id),
    created_by   TEXT NOT NULL CHECK (length(trim(created_by)) > 0),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK ((state = '已发布') = (published_at IS NOT NULL))
);
CREATE INDEX releases_response ON releases(response_id);

-- Every text of a release; the highest number is current. Never updated or deleted.
CREATE TABLE release_versions (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id),
    number     INTEGER NOT NULL CHECK (number >= 1),
    title      TEXT NOT NULL CHECK (length(trim(title)) > 0),
    body       TEXT NOT NULL CHECK (length(trim(body)) > 0),
    note       TEXT NOT NULL DEFAULT '',                   -- what changed
    edited_by  TEXT NOT NULL CHECK (length(trim(edited_by)) > 0),
    edited_at  TEXT NOT NULL,
    UNIQUE (release_id, number)
);

-- A submission (送审) of one version starts a review round; its three steps follow in order.
CREATE TABLE release_submissions (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases(id),
    version_id   INTEGER NOT NULL REFERENCES release_versions(id),
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL CHECK (length(trim(submitted_by)) > 0)
);
CREATE INDEX release_submissions_release ON release_submissions(release_id, id);

CREATE TABLE release_reviews (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES release_submissions(id),
    stage         TEXT NOT NULL CHECK (stage IN ('初审', '复审', '终审')),
    result        TEXT NOT NULL CHECK (result IN ('通过', '退回')),
    reviewer_id   INTEGER NOT NULL REFERENCES people(id),
    reviewed_at   TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
    UNIQUE (submission_id, stage),
    CHECK (result = '通过' OR length(trim(comment)) > 0)
);

CREATE TABLE release_channels (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    channel    TEXT NOT NULL CHECK (channel IN ('发布会', '网站', '微信公众号', '微博', '融媒体中心')),
    PRIMARY KEY (release_id, channel)
) WITHOUT ROWID;

-- Release deadlines after a response starts, for events of grade max_grade and above
-- (1 特别重大 … 4 一般). channel: the first publication on it meets the rule (NULL: any).
CREATE TABLE release_deadline_rules (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL UNIQUE CHECK (length(trim(kind)) > 0),
    minutes   INTEGER NOT NULL CHECK (minutes > 0),
    max_grade INTEGER NOT NULL DEFAULT 2 CHECK (max_grade BETWEEN 1 AND 4),
    channel   TEXT CHECK (channel IS NULL OR channel IN ('发布会', '网站', '微信公众号', '微博', '融媒体中心')),
    note      TEXT NOT NULL DEFAULT '',
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

INSERT INTO release_deadline_rules (kind, minutes, max_grade, channel, note) VALUES
    ('首次权威发布', 300, 2, NULL, '重大及以上突发事件，5小时内发布权威信息'),
    ('首场新闻发布会', 1440, 2, '发布会', '重大及以上突发事件，24小时内举行首场新闻发布会');
