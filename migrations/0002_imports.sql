-- Bulk imports: one row per batch (each batch is one transaction), the records that were rejected with the
-- reason, and the queue of what changed since the last indicator refresh.

CREATE SEQUENCE import_seq;

CREATE TABLE import_batch (
  id bigserial PRIMARY KEY,
  -- All batches of one importSource call share it.
  import_id bigint NOT NULL,
  seq integer NOT NULL,
  source text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  read integer NOT NULL CHECK (read >= 0),
  inserted integer NOT NULL CHECK (inserted >= 0),
  updated integer NOT NULL CHECK (updated >= 0),
  unchanged integer NOT NULL CHECK (unchanged >= 0),
  rejected integer NOT NULL CHECK (rejected >= 0),
  CHECK (read = inserted + updated + unchanged + rejected),
  UNIQUE (import_id, seq)
);

CREATE TABLE rejected_record (
  id bigserial PRIMARY KEY,
  batch_id bigint NOT NULL REFERENCES import_batch (id) ON DELETE CASCADE,
  source_file text,
  line integer,
  kind text NOT NULL,
  field text NOT NULL,
  value text NOT NULL,
  reason text NOT NULL,
  record_id text
);
CREATE INDEX rejected_record_batch_idx ON rejected_record (batch_id);

-- Chains whose facts may have changed since the last indicator run (their old and new chain keys), and
-- organisations whose region may have changed. An incremental refresh consumes both; a full run clears them.
CREATE TABLE refresh_chain (
  chain_key bigint PRIMARY KEY
);

CREATE TABLE refresh_subject (
  bin text PRIMARY KEY
);
