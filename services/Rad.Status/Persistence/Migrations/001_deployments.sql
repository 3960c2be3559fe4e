-- Requests accepted over HTTP before the saga has picked them up: they answer as Pending.
CREATE TABLE deployment_requests (
    id           uuid PRIMARY KEY,
    repository   text        NOT NULL,
    ref          text        NOT NULL,
    config_path  text        NOT NULL,
    cluster      text        NOT NULL,
    requested_at timestamptz NOT NULL
);

-- One row per deployment saga; data holds the whole instance as JSON, the columns what is queried.
CREATE TABLE deployments (
    correlation_id uuid PRIMARY KEY,
    current_state  text        NOT NULL,
    version        integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    next_deadline  timestamptz NULL,
    deadline_stage text        NULL,
    data           jsonb       NOT NULL
);
CREATE INDEX deployments_created_at ON deployments (created_at DESC);
CREATE INDEX deployments_next_deadline ON deployments (next_deadline) WHERE next_deadline IS NOT NULL;

-- Every stage transition, append-only: the status log and the live event stream read it.
CREATE TABLE deployment_events (
    id            bigserial PRIMARY KEY,
    deployment_id uuid        NOT NULL,
    at            timestamptz NOT NULL,
    stage         text        NOT NULL,
    state         text        NOT NULL,
    message       text        NULL
);
CREATE INDEX deployment_events_deployment ON deployment_events (deployment_id, id);
