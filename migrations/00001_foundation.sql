-- +goose Up
-- Heartbeats written by the periodic heartbeat job: proof that the job queue
-- runs, and when it last ran on which instance.
CREATE TABLE job_heartbeats (
    name        text PRIMARY KEY,
    runs        bigint      NOT NULL DEFAULT 0,
    last_run_at timestamptz NOT NULL,
    last_host   text        NOT NULL
);

-- +goose Down
DROP TABLE job_heartbeats;
