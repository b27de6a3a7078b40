-- Ledger files uploaded from the browser (issue 16), kept between the preview and the confirm so
-- both read the same bytes and either server process can answer either step. Deleted when
-- imported or after a day.
CREATE TABLE ledger_uploads (
    id           UUID PRIMARY KEY,
    fund_id      UUID NOT NULL REFERENCES funds (id),
    user_id      UUID REFERENCES users (id),
    file_name    TEXT NOT NULL,
    body         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ledger_uploads_created ON ledger_uploads (created_at);
