-- The upper half of a full run's chain facts, computed on a second connection while the run's own transaction
-- computes the lower half (facts.ts). The run's transaction has chain_fact truncated and locked, so the second
-- connection writes here, commits, and the run copies the rows over and empties the table before it commits.
-- Unlogged like chain_fact: it holds nothing between runs. LIKE copies the columns with their bytewise collations.
CREATE UNLOGGED TABLE chain_fact_stage (LIKE chain_fact);
