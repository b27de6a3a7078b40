-- API tokens may expire (issue 12, #13): NULL never does. An expired token answers 401 like a
-- revoked one.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
