-- The upper half of a full run's chain facts, computed on a second connection (facts.ts), stays where that
-- connection writes it: chain_fact_upper is an inheritance child of chain_fact, so every statement over chain_fact
-- reads both halves, while the run's lower half and a refresh's rows go into chain_fact itself. The half was
-- staged in chain_fact_stage and copied over by the run (0.6 s of a 10 s run at 1M contracts, 10–12 s at 15M).
-- The child inherits the columns with their bytewise collations; indexes are not inherited, so it has its own, and
-- like chain_fact it is unlogged, analysed by the run, and vacuumed for the dead rows of refreshes only.
DROP TABLE chain_fact_stage;
CREATE UNLOGGED TABLE chain_fact_upper () INHERITS (chain_fact);
ALTER TABLE chain_fact_upper ADD PRIMARY KEY (chain_key);
CREATE INDEX chain_fact_upper_pair_idx ON chain_fact_upper (customer_bin, supplier_bin);
CREATE INDEX chain_fact_upper_supplier_idx ON chain_fact_upper (supplier_bin);
ALTER TABLE chain_fact_upper SET (autovacuum_vacuum_insert_threshold = -1);
