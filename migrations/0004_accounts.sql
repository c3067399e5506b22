-- The server's own state: user accounts, refresh-token sessions, and the indicator runs requested through it
-- (core ports UserStore, SessionStore and RunStore; adapters in packages/adapters/src/postgres/accounts).
-- Numbered 0010 to stay clear of the storage migrations' numbers while both were written in parallel.

-- "user" is a reserved word, hence app_user. Ids are random UUIDs rather than a sequence: they appear in URLs
-- (/api/v1/users/:id) and should not reveal how many accounts exist or invite guessing the next one.
-- gen_random_uuid() is built in since PostgreSQL 13 (PGlite too), so no extension is needed.
CREATE TABLE app_user (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Compared bytewise (COLLATE "C") so that keyset paging orders usernames as core's in-memory store does.
  -- The pattern is core's Username: callers normalise (trim, lower-case) before storing, so equal names are
  -- equal strings and a plain unique constraint suffices.
  username text COLLATE "C" NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name text NOT NULL,
  -- Order and duplicates are kept as given: the store returns exactly what it was handed.
  roles text[] NOT NULL
    CHECK (array_position(roles, NULL) IS NULL AND roles <@ ARRAY['admin', 'analyst', 'viewer']::text[]),
  -- Codes of the region table (core's REGIONS). Arrays cannot carry foreign keys, so the codes are listed; a
  -- migration adding a region must extend this check too (the accounts test creates a user with every code).
  regions text[] NOT NULL
    CHECK (array_position(regions, NULL) IS NULL AND regions <@ ARRAY['10', '11', '15', '19', '23', '27', '31', '33',
      '35', '39', '43', '47', '55', '59', '61', '62', '63', '71', '75', '79']::text[]),
  disabled boolean NOT NULL DEFAULT false,
  -- An opaque, self-describing hash (PHC string); never a password.
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- countActiveAdmins runs at every start (the admin bootstrap) and before every role change or disable.
CREATE INDEX app_user_active_admin_idx ON app_user (id) WHERE NOT disabled AND 'admin' = ANY (roles);

-- One row per refresh token; only its SHA-256 hash is stored, so a leaked table grants nothing.
CREATE TABLE refresh_session (
  token_hash text PRIMARY KEY,
  -- Every token obtained by rotating another shares its family (one login); reuse revokes the family.
  family_id text NOT NULL,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_session_family_idx ON refresh_session (family_id);
-- revokeUser, and the cascade when a user row is deleted.
CREATE INDEX refresh_session_user_idx ON refresh_session (user_id);
-- The hourly deleteExpired.
CREATE INDEX refresh_session_expires_idx ON refresh_session (expires_at);

-- Runs requested through the server's API. Not indicator_run (0003): that table records what the SQL engine
-- did (mode, canonical parameters, statistics) for every full run and refresh, whoever started it; this one is
-- the request's lifecycle as the API shows it (queued → running → succeeded/failed, who asked, the parameters as
-- sent, the report or the error), including runs that failed before the engine started or ran in memory.
CREATE TABLE server_run (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  -- params.json content as requested (any JSON value; JSON null is stored as jsonb 'null', not SQL NULL).
  params jsonb NOT NULL,
  -- No cascade: runs are the history of who asked for what, and users are disabled, not deleted.
  requested_by uuid NOT NULL REFERENCES app_user (id),
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  report jsonb,
  error jsonb
);
-- failUnfinished at every executor start looks only at runs still queued or running.
CREATE INDEX server_run_unfinished_idx ON server_run (id) WHERE status IN ('queued', 'running');
CREATE INDEX server_run_requested_by_idx ON server_run (requested_by);
