-- The BINs of the derived tables are sorted by every full run: chain_fact's two BIN indexes, pair_count's
-- grouping, key and two indexes. BINs are twelve ASCII digits, so bytewise order ("C") is their order in any
-- collation, and PostgreSQL sorts it with abbreviated keys and memcmp instead of the locale's strcoll (a C.UTF-8
-- database's default is not "C" to PostgreSQL 15). Compared with another table's BINs, "C" wins over the default
-- collation, so the statements name the collation of the side whose index should serve.
ALTER TABLE chain_fact
  ALTER COLUMN customer_bin TYPE text COLLATE "C",
  ALTER COLUMN supplier_bin TYPE text COLLATE "C";
ALTER TABLE pair_count
  ALTER COLUMN customer_bin TYPE text COLLATE "C",
  ALTER COLUMN supplier_bin TYPE text COLLATE "C";
