-- Lookups of a contract version by id use the primary key (id, fin_part), whose leading column is the id; the
-- separate index on (id) only doubled the cost of every version written (one more index entry per row).
DROP INDEX contract_id_idx;
