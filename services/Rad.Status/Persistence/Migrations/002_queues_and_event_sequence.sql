-- Stage events are numbered per deployment (1, 2, 3, ...) so the live stream can replay, resume after Last-Event-ID,
-- and notice a gap between the replay and what the bus delivers.
ALTER TABLE deployment_events ADD COLUMN seq bigint;
UPDATE deployment_events e SET seq = n.rn
FROM (SELECT id, row_number() OVER (PARTITION BY deployment_id ORDER BY id) AS rn FROM deployment_events) n
WHERE e.id = n.id;
ALTER TABLE deployment_events ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX deployment_events_seq ON deployment_events (deployment_id, seq);
UPDATE deployments d SET data = jsonb_set(d.data, '{eventCount}',
    to_jsonb(COALESCE((SELECT max(e.seq) FROM deployment_events e WHERE e.deployment_id = d.correlation_id), 0)));

ALTER TABLE deployment_requests ADD COLUMN concurrency text NULL;

-- One queue per repository and cluster: the deployment that runs, and those waiting behind it in order.
CREATE TABLE deployment_queues (
    queue_id   uuid        PRIMARY KEY,
    queue_key  text        NOT NULL,
    running    uuid        NULL,
    waiting    uuid[]      NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);
