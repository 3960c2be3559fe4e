-- Kubernetes clusters registered by kubeconfig (one context, files inlined). kubeconfig holds credentials: the API
-- never returns it and nothing logs it.
CREATE TABLE clusters (
    name       text        PRIMARY KEY,
    kind       text        NOT NULL,
    server     text        NOT NULL,
    context    text        NOT NULL,
    namespace  text        NOT NULL,
    auth       text        NOT NULL,
    kubeconfig text        NOT NULL,
    created_at timestamptz NOT NULL
);
