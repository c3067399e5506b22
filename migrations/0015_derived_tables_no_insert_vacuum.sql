-- Autovacuum vacuumed chain_fact and pair_count after every full run for their inserts alone: the run refills them
-- after a TRUNCATE (no dead rows) and analyses them itself, and the next full run truncates them again, so setting
-- visibility-map bits and freezing their rows is work thrown away (about 0.25 s of unthrottled VACUUM at 1M
-- contracts; by proportion, a throttled background pass over some 4 GB at 15M). A full run that began while
-- autovacuum was still at it waited deadlock_timeout (1 s) in its TRUNCATE before autovacuum gave way. Vacuums for
-- the dead rows that refreshes leave (their DELETEs) still run, as does the anti-wraparound vacuum.
ALTER TABLE chain_fact SET (autovacuum_vacuum_insert_threshold = -1);
ALTER TABLE pair_count SET (autovacuum_vacuum_insert_threshold = -1);
-- The stages are filled by a full run's second connection and emptied by TRUNCATE in the same run: never anything
-- for autovacuum to vacuum or analyse.
ALTER TABLE chain_fact_stage SET (autovacuum_enabled = false);
ALTER TABLE chain_key_diff_stage SET (autovacuum_enabled = false);
