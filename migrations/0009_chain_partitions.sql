-- contract_chain also names the partition each version lives in. A lookup of a version by id alone probes the
-- primary key of every yearly partition (the table is partitioned by fin_part, and PostgreSQL has no index
-- across partitions); with the partition named, run-time pruning leaves one probe. The refresh's joins from
-- chains to versions and the importer's lookups of stored versions read it from here. The importer keeps it in
-- step with contract in the same transaction (a changed financial year moves the row and its entry here), and a
-- full run repairs it with the chain keys.
--
-- Rebuilt rather than updated in place: an UPDATE of every row would leave the table and both indexes twice their
-- size with a dead copy of each row, while a fresh table is written once and its indexes are built by sorting.
-- An entry without a stored version has nothing to name; it is left out (a full run would have dropped it).
CREATE TABLE contract_chain_next (
  contract_id bigint NOT NULL,
  fin_part integer NOT NULL,
  chain_key bigint NOT NULL
);

INSERT INTO contract_chain_next (contract_id, fin_part, chain_key)
SELECT cc.contract_id, c.fin_part, cc.chain_key FROM contract_chain cc JOIN contract c ON c.id = cc.contract_id;

DROP TABLE contract_chain;

ALTER TABLE contract_chain_next RENAME TO contract_chain;

ALTER TABLE contract_chain ADD CONSTRAINT contract_chain_pkey PRIMARY KEY (contract_id);

CREATE INDEX contract_chain_key_idx ON contract_chain (chain_key);

ANALYZE contract_chain;
