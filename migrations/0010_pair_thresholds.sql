-- A refresh evaluates partnership for every pair of a touched customer or supplier that has at least the minimum
-- number of contracts. With the pair count in the index, that is a range of the index per customer or supplier;
-- before, every pair of each was read and filtered (a large customer has thousands of pairs, nearly all below the
-- minimum). The same indexes give the customer and supplier totals from the index alone.
DROP INDEX pair_count_supplier_idx;
CREATE INDEX pair_count_supplier_idx ON pair_count (supplier_bin, n);
CREATE INDEX pair_count_customer_idx ON pair_count (customer_bin, n);
