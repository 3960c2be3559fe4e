-- Every change a deployment makes to an application on a cluster, numbered 1, 2, 3, ... per application and cluster.
-- Written once, in the same transaction as the saga step that saw the outcome, and never rewritten.
CREATE TABLE revisions (
    cluster       text        NOT NULL,
    application   text        NOT NULL,
    revision      integer     NOT NULL,
    deployment_id uuid        NOT NULL,
    repository    text        NOT NULL,
    commit        text        NOT NULL,
    image         text        NOT NULL,
    spec          jsonb       NOT NULL,
    strategy      text        NOT NULL,
    outcome       text        NOT NULL,
    note          text        NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (cluster, application, revision)
);
CREATE INDEX revisions_deployment ON revisions (deployment_id);

-- An application a rollback put back stays there: automation (webhooks, bus) skips it until someone unpins it.
CREATE TABLE pins (
    cluster     text        NOT NULL,
    application text        NOT NULL,
    revision    integer     NOT NULL,
    pinned_by   text        NOT NULL,
    reason      text        NULL,
    pinned_at   timestamptz NOT NULL,
    PRIMARY KEY (cluster, application)
);

-- Who pinned and unpinned what, when and why: append-only.
CREATE TABLE pin_events (
    id            bigserial   PRIMARY KEY,
    cluster       text        NOT NULL,
    application   text        NOT NULL,
    action        text        NOT NULL,
    revision      integer     NULL,
    actor         text        NOT NULL,
    reason        text        NULL,
    deployment_id uuid        NULL,
    at            timestamptz NOT NULL
);

ALTER TABLE deployment_requests ADD COLUMN trigger text NULL;
