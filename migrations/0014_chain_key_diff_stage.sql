-- The upper half of a full run's chain-key check (chains.ts), found by a second connection as for the facts
-- (0013): the versions whose stored chain entry differs from the records. Empty between runs.
CREATE UNLOGGED TABLE chain_key_diff_stage (
  contract_id bigint NOT NULL,
  fin_part integer,
  chain_key bigint,
  stored boolean NOT NULL
);
