import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

/**
 * chain_fact rows for a set of chain keys: what core's AnalysisDataset derives per chain (ChainView, planSum,
 * firstPayDate), computed set-based. `keys` is a constant SQL query (never data) giving the distinct chain keys
 * that have versions: all of them, or those of the refresh.
 */
const factsSql = (keys: string): string => `
  WITH keys AS MATERIALIZED (${keys}),
  members AS (
    SELECT cc.chain_key, c.id, c.deleted, c.sign_date, c.crdate, c.contract_sum_wnds, c.fakt_sum_wnds
    FROM contract_chain cc JOIN keys k ON k.chain_key = cc.chain_key JOIN contract c ON c.id = cc.contract_id
  ),
  versions AS (
    SELECT chain_key, count(*) AS n,
      array_agg(contract_sum_wnds ORDER BY sign_date ASC NULLS LAST, crdate, id) AS sums,
      array_agg(fakt_sum_wnds ORDER BY sign_date ASC NULLS LAST, crdate, id) AS fakts
    FROM members WHERE NOT deleted GROUP BY chain_key
  ),
  paid AS (
    SELECT x.chain_key, min(p.pay_date) AS first_pay
    FROM (SELECT chain_key, id AS contract_id FROM members UNION SELECT chain_key, chain_key FROM keys) x
    JOIN treasury_payment p ON p.contract_id = x.contract_id
    GROUP BY x.chain_key
  ),
  root AS (
    SELECT c.* FROM keys k JOIN contract c ON c.id = k.chain_key
    WHERE c.parent_id IS NULL AND (c.root_id IS NULL OR c.root_id = c.id)
  ),
  planned AS (
    SELECT u.contract_id, sum(l.amount) AS plan_sum, bool_and(l.id IS NOT NULL) AS complete
    FROM (SELECT DISTINCT cu.contract_id, cu.lot_id FROM contract_unit cu JOIN root r ON r.id = cu.contract_id
          WHERE cu.lot_id IS NOT NULL) u
    LEFT JOIN lot l ON l.id = u.lot_id
    GROUP BY u.contract_id
  )
  INSERT INTO chain_fact (chain_key, root_id, deleted, type_id, year_type_id, status_id, customer_bin, supplier_bin,
                          sum_wnds, crdate, sign_date, plan_sum, first_pay, n_versions, first_sum, last_sum,
                          first_fakt, last_fakt)
  SELECT k.chain_key, r.id, r.deleted, r.type_id, r.year_type_id, r.status_id, r.customer_bin, r.supplier_bin,
         r.contract_sum_wnds, r.crdate, r.sign_date, CASE WHEN pl.complete THEN pl.plan_sum END, pd.first_pay,
         coalesce(v.n, 0), v.sums[1], v.sums[v.n], v.fakts[1], v.fakts[v.n]
  FROM keys k
  LEFT JOIN root r ON r.id = k.chain_key
  LEFT JOIN planned pl ON pl.contract_id = r.id
  LEFT JOIN paid pd ON pd.chain_key = k.chain_key
  LEFT JOIN versions v ON v.chain_key = k.chain_key`

/** Rebuilds every chain's facts (a full run). */
export const rebuildFacts: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Only the engine reads chain_fact, under the ingest lock, so emptying it outright costs no reader anything.
  yield* sql`TRUNCATE chain_fact`
  yield* sql.unsafe(factsSql("SELECT DISTINCT chain_key FROM contract_chain"))
  yield* sql`ANALYZE chain_fact`
})

/**
 * Replaces the facts of the chains listed in the temp table `aq_refresh_keys` (an incremental refresh); keys
 * without versions any more lose their row.
 */
export const refreshFacts: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DELETE FROM chain_fact WHERE chain_key IN (SELECT chain_key FROM aq_refresh_keys)`
  yield* sql.unsafe(
    factsSql("SELECT DISTINCT cc.chain_key FROM contract_chain cc JOIN aq_refresh_keys r ON r.chain_key = cc.chain_key")
  )
})
