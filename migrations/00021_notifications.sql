-- +goose Up
-- In-app notifications, one row per recipient. dedupe_key makes a notice
-- that a retry or a second instance raises again land once per user.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  uuid REFERENCES tenants (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    link       text NOT NULL DEFAULT '',
    dedupe_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    -- set when the notice went into a daily digest
    digested_at timestamptz,
    UNIQUE (user_id, dedupe_key)
);
-- the bell: newest first per user (keyset on created_at, id), unread count
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Which kinds also go by e-mail, and whether as one daily digest.
CREATE TABLE notification_preferences (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_kinds text[] NOT NULL DEFAULT '{}',
    digest      boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Mail to send (or, in dev, the outbox the UI shows). A River job sends a
-- row after the transaction that queued it commits.
CREATE TABLE mail_outbox (
    id         uuid PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    to_addr    text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    -- 'smtp' or 'dev' (kept here for the dev outbox page)
    transport  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    error      text NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at DESC, id DESC);

-- One reminder per dispute, threshold and deadline: inserted in the
-- transaction of the notification, so two instances or a restart never send
-- twice, and a moved deadline gets reminders of its own. threshold is
-- '7d', '3d', '1d', '12h' or 'escalation'.
CREATE TABLE dispute_reminders (
    dispute_id  text NOT NULL REFERENCES disputes (dispute_id) ON DELETE CASCADE,
    threshold   text NOT NULL,
    deadline_at timestamptz NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dispute_id, threshold, deadline_at)
);

-- +goose Down
DROP TABLE dispute_reminders;
DROP TABLE mail_outbox;
DROP TABLE notification_preferences;
DROP TABLE notifications;
