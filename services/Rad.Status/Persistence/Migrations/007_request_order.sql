-- The deployments list merges sagas and not-yet-taken requests newest first: both sides need their time in order.
CREATE INDEX IF NOT EXISTS deployment_requests_requested_at ON deployment_requests (requested_at DESC);
