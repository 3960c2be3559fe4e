-- Outgoing notifications (issue 10): where to POST when a deployment starts or ends, and every attempt to do so.
-- secret signs the body (HMAC-SHA256); the API never returns it and nothing logs it.
CREATE TABLE notifications (
    id         uuid        PRIMARY KEY,
    url        text        NOT NULL,
    events     text[]      NOT NULL,
    secret     text,
    format     text        NOT NULL CHECK (format IN ('json', 'slack')),
    created_at timestamptz NOT NULL
);

-- One row per HTTP attempt. A delivery is (notification, deployment, event); its attempts count from 1. succeeded on
-- one attempt means nothing is ever sent again for that delivery; gave_up marks its last failed attempt.
CREATE TABLE notification_attempts (
    notification_id uuid        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    deployment_id   uuid        NOT NULL,
    event           text        NOT NULL,
    attempt         integer     NOT NULL,
    delivery_id     uuid        NOT NULL,
    at              timestamptz NOT NULL,
    status_code     integer,
    error           text,
    duration_ms     integer     NOT NULL,
    succeeded       boolean     NOT NULL,
    gave_up         boolean     NOT NULL,
    PRIMARY KEY (notification_id, deployment_id, event, attempt)
);
CREATE INDEX notification_attempts_newest ON notification_attempts (notification_id, at DESC);
