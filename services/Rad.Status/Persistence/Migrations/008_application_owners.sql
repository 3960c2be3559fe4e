-- Which repository an application on a cluster belongs to: the first whose deployment named it, until an operator
-- transfers it. Another repository's deployment of the same name fails naming the owner.
CREATE TABLE application_owners (
    cluster     text        NOT NULL,
    application text        NOT NULL,
    repository  text        NOT NULL,
    since       timestamptz NOT NULL,
    PRIMARY KEY (cluster, application)
);

-- Claims, transfers and owners adopted from the history: who, when, from which repository to which. Append-only.
CREATE TABLE application_owner_events (
    id              bigserial   PRIMARY KEY,
    cluster         text        NOT NULL,
    application     text        NOT NULL,
    action          text        NOT NULL,
    from_repository text        NULL,
    to_repository   text        NOT NULL,
    actor           text        NOT NULL,
    reason          text        NULL,
    deployment_id   uuid        NULL,
    at              timestamptz NOT NULL
);
CREATE INDEX application_owner_events_application ON application_owner_events (cluster, application, id);

-- Applications deployed before owners were recorded belong to the repository of their latest revision: what runs now.
INSERT INTO application_owners (cluster, application, repository, since)
SELECT DISTINCT ON (cluster, application) cluster, application, repository, now()
FROM revisions
ORDER BY cluster, application, revision DESC;

INSERT INTO application_owner_events (cluster, application, action, to_repository, actor, reason, at)
SELECT cluster, application, 'adopted', repository, 'rad', 'the repository of its latest revision when owners began to be recorded', since
FROM application_owners;

-- Webhook pushes refused because their commit is older than the one running: what, from where, and why.
CREATE TABLE webhook_refusals (
    id             bigserial   PRIMARY KEY,
    at             timestamptz NOT NULL,
    host           text        NOT NULL,
    delivery       text        NULL,
    repository     text        NOT NULL,
    cluster        text        NOT NULL,
    commit         text        NOT NULL,
    running_commit text        NULL,
    reason         text        NOT NULL
);
