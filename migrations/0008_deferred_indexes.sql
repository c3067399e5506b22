-- Indexes a bulk import dropped to load faster, with the statements that build them again. The import rebuilds
-- them when it ends (however it ends); a row left here means the process died first, and the next start builds
-- what is missing. Written in the same transaction as the DROP, so a definition is never lost.
CREATE TABLE deferred_index (
  name text PRIMARY KEY,
  definition text NOT NULL,
  deferred_at timestamptz NOT NULL DEFAULT now()
);
