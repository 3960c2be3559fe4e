-- Issue 12, item 17: addresses are stored without credentials now (they travel sealed beside them). Rows written
-- before kept https://user:TOKEN@host/... in clear: take the user info out of those of ended deployments and of
-- requests whose deployment has ended (a running one still needs its credentials to clone; it ends within its deadlines).
UPDATE deployments
SET data = jsonb_set(data, '{repository}', to_jsonb(regexp_replace(data->>'repository', '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@', '\1')))
WHERE current_state IN ('Succeeded', 'Failed', 'Superseded')
  AND data->>'repository' ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*@'
  AND data->>'repository' !~ '^ssh://';

UPDATE deployment_requests r
SET repository = regexp_replace(r.repository, '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@', '\1')
WHERE r.repository ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*@'
  AND r.repository !~ '^ssh://'
  AND EXISTS (SELECT 1 FROM deployments d WHERE d.correlation_id = r.id AND d.current_state IN ('Succeeded', 'Failed', 'Superseded'));
