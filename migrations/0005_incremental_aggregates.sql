-- What an incremental refresh needs to cost in proportion to what changed, not to the size of the data.

-- Chains per customer–supplier pair among the roots passing the last run's filters (partnership's counts), kept
-- so that a refresh recounts only the pairs its chains belong to and reads supplier and customer totals from
-- here instead of from every chain.
CREATE TABLE pair_count (
  customer_bin text NOT NULL,
  supplier_bin text NOT NULL,
  n bigint NOT NULL CHECK (n > 0),
  latest timestamptz,
  PRIMARY KEY (customer_bin, supplier_bin)
);
CREATE INDEX pair_count_supplier_idx ON pair_count (supplier_bin);

-- One index range per pair (the refresh's recount); it serves lookups by customer as the index it replaces did.
DROP INDEX chain_fact_customer_idx;
CREATE INDEX chain_fact_pair_idx ON chain_fact (customer_bin, supplier_bin);

-- Chains counted by the outcome of each check behind a run's statistics ({key: count}), so that a refresh
-- adjusts them by the refreshed chains (after minus before) instead of counting every chain again.
ALTER TABLE indicator_run ADD COLUMN fact_groups jsonb;
