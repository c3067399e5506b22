-- The parameters a run was asked for, as given (params.json's shape): a refresh asked for without parameters takes
-- the last run's, so that an import's refresh keeps the thresholds the stored findings were computed with instead
-- of replacing them with the defaults'. NULL for runs before this migration: such a refresh takes the defaults.
ALTER TABLE indicator_run ADD COLUMN params_input jsonb;
