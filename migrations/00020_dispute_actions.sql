-- +goose Up
-- A partner's answer to a dispute in the making: one draft per dispute and
-- kind (represent, appeal), kept on the server so it survives a reload or
-- another handler taking over; version guards against a stale save.
CREATE TABLE dispute_drafts (
    dispute_id       text NOT NULL REFERENCES disputes (dispute_id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('represent', 'appeal')),
    information      text NOT NULL DEFAULT '',
    refund_amount    bigint,
    checklist        text[] NOT NULL DEFAULT '{}',
    version          bigint NOT NULL DEFAULT 0,
    updated_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by_label text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dispute_id, kind)
);

-- The files of a draft, stored here (the copy we can show again) and sent
-- to Klarna only when the answer is submitted; klarna_attachment_id keeps
-- Klarna's id once uploaded, so a retried submission uploads nothing twice.
CREATE TABLE dispute_draft_attachments (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dispute_id           text NOT NULL,
    kind                 text NOT NULL,
    filename             text NOT NULL,
    content_type         text NOT NULL,
    size                 integer NOT NULL,
    sha256               bytea NOT NULL,
    data                 bytea NOT NULL,
    klarna_attachment_id text,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (dispute_id, kind) REFERENCES dispute_drafts (dispute_id, kind) ON DELETE CASCADE,
    UNIQUE (dispute_id, kind, sha256)
);

-- Each answer submitted: applied by a River job with a fixed idempotency
-- key, so a retried call is one action at Klarna.
CREATE TABLE dispute_actions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dispute_id       text NOT NULL REFERENCES disputes (dispute_id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('represent', 'accept_loss', 'appeal')),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'failed')),
    idempotency_key  text NOT NULL,
    information      text NOT NULL DEFAULT '',
    refund_amount    bigint,
    attachments      integer NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_label text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX dispute_actions_dispute ON dispute_actions (dispute_id, created_at DESC);
-- One answer in flight per dispute.
CREATE UNIQUE INDEX dispute_actions_pending ON dispute_actions (dispute_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE dispute_actions;
DROP TABLE dispute_draft_attachments;
DROP TABLE dispute_drafts;
