-- Messages a step of the saga or the deployment queue publishes, written in the same transaction as that step and
-- deleted once published: a kill or a broker drop between the commit and the publish loses nothing (issue 12, item 13).
CREATE TABLE outbox_messages (
    id           bigserial   PRIMARY KEY,
    message_id   uuid        NOT NULL,
    message_type text        NOT NULL,
    body         jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Message ids a consumer of this service has handled, written in the same transaction as what it did: a message
-- published again after a crash (same id) is recognised and skipped.
CREATE TABLE inbox_messages (
    consumer    text        NOT NULL,
    message_id  uuid        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
CREATE INDEX inbox_messages_received_at ON inbox_messages (received_at);

-- The accepted command itself, so a request whose publish was lost can be published again by the pending-request sweeper.
ALTER TABLE deployment_requests ADD COLUMN message_type text NULL;
ALTER TABLE deployment_requests ADD COLUMN message jsonb NULL;
ALTER TABLE deployment_requests ADD COLUMN republished integer NOT NULL DEFAULT 0;
ALTER TABLE deployment_requests ADD COLUMN republished_at timestamptz NULL;
