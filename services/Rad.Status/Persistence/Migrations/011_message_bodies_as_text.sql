-- Stored messages are kept as the JSON text they were serialised to, not as jsonb: jsonb refuses the escape \u0000,
-- so a message carrying a NUL read from a repository's file (a reason quoting rad.json) could not be written to the
-- outbox and its step failed every time (issue 12, item 5). Text keeps the escape as written and reads back the same.
ALTER TABLE outbox_messages ALTER COLUMN body TYPE text USING body::text;
ALTER TABLE deployment_requests ALTER COLUMN message TYPE text USING message::text;
