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

-- Applications deployed before owners were recorded belong to the repository that created them: that of their first
-- revision since they were last removed (an application whose latest revision removed it is gone and owned by nobody).
-- Not the latest revision's: that would hand an application taken over before this change to the one who took it.
INSERT INTO application_owners (cluster, application, repository, since)
SELECT DISTINCT ON (r.cluster, r.application) r.cluster, r.application, r.repository, r.created_at
FROM revisions r
WHERE r.outcome <> 'removed'
  AND r.revision > COALESCE((SELECT max(x.revision) FROM revisions x
                             WHERE x.cluster = r.cluster AND x.application = r.application AND x.outcome = 'removed'), 0)
ORDER BY r.cluster, r.application, r.revision;

INSERT INTO application_owner_events (cluster, application, action, to_repository, actor, reason, at)
SELECT cluster, application, 'adopted', repository, 'rad', 'the repository of its first revision, when owners began to be recorded', since
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
