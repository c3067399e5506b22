-- Three rules of the indicators changed in core and in SQL: a chain's root comes first in its order however it is
-- signed, partnership's shares must exceed their thresholds, and a plan sum past 2^53 − 1 tiyn is skipped.
-- chain_fact, pair_count and the findings of earlier runs follow the old rules, and a refresh evaluates only the
-- chains that changed since. Without this row the next refresh runs in full, as after a crash (0011).
DELETE FROM derived_table_state;
