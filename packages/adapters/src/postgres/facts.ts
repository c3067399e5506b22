import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { reloadTable } from "./reload.ts"

/**
 * chain_fact rows for the chains listed in the temp table `aq_refresh_keys` that have versions: what core's
 * AnalysisDataset derives per chain (ChainView, planSum, firstPayDate), computed set-based. Each member version is
 * read once, through contract_chain with its partition (one partition's primary key per version instead of every
 * year's); the root is the member whose id is the chain key, so it needs no lookup of its own.
 */
const REFRESH_FACTS_SQL = `
  WITH members AS MATERIALIZED (
    SELECT cc.chain_key, c.id, c.parent_id, c.root_id, c.deleted, c.type_id, c.year_type_id, c.status_id,
      c.customer_bin, c.supplier_bin, c.sign_date, c.crdate, c.contract_sum_wnds, c.fakt_sum_wnds
    FROM aq_refresh_keys r JOIN contract_chain cc ON cc.chain_key = r.chain_key
    JOIN contract c ON c.id = cc.contract_id AND c.fin_part = cc.fin_part
  ),
  keys AS MATERIALIZED (SELECT DISTINCT chain_key FROM members),
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
  root AS MATERIALIZED (
    SELECT * FROM members WHERE id = chain_key AND parent_id IS NULL AND (root_id IS NULL OR root_id = id)
  ),
  -- Plan sums of the keys' own ids, kept only where that id is the chain's root (the CASE below). Over the roots
  -- themselves the planner estimated one root (a filtered CTE) and evaluated the whole aggregate again for each:
  -- 537k lot probes for 884 chains at 100k.
  planned AS MATERIALIZED (
    SELECT u.contract_id, sum(l.amount) AS plan_sum, bool_and(l.id IS NOT NULL) AS complete
    FROM (SELECT DISTINCT cu.contract_id, cu.lot_id FROM keys k JOIN contract_unit cu ON cu.contract_id = k.chain_key
          WHERE cu.lot_id IS NOT NULL) u
    LEFT JOIN lot l ON l.id = u.lot_id
    GROUP BY u.contract_id
  )
  INSERT INTO chain_fact (chain_key, root_id, deleted, type_id, year_type_id, status_id, customer_bin, supplier_bin,
                          sum_wnds, crdate, sign_date, plan_sum, first_pay, n_versions, first_sum, last_sum,
                          first_fakt, last_fakt)
  SELECT k.chain_key, r.id, r.deleted, r.type_id, r.year_type_id, r.status_id, r.customer_bin, r.supplier_bin,
         r.contract_sum_wnds, r.crdate, r.sign_date, CASE WHEN r.id IS NOT NULL AND pl.complete THEN pl.plan_sum END,
         pd.first_pay, coalesce(v.n, 0), v.sums[1], v.sums[v.n], v.fakts[1], v.fakts[v.n]
  FROM keys k
  LEFT JOIN root r ON r.id = k.chain_key
  LEFT JOIN planned pl ON pl.contract_id = k.chain_key
  LEFT JOIN paid pd ON pd.chain_key = k.chain_key
  LEFT JOIN versions v ON v.chain_key = k.chain_key`

const FACT_COLUMNS = `chain_key, root_id, deleted, type_id, year_type_id, status_id, customer_bin, supplier_bin,
  sum_wnds, crdate, sign_date, plan_sum, first_pay, n_versions, first_sum, last_sum, first_fakt, last_fakt`

/**
 * Every chain's facts from scratch, in steps over analysed intermediate tables: one aggregate per input
 * (payments, versions, plan sums) instead of one statement whose intermediate results the planner cannot
 * estimate (it once chose a nested loop over a million-row CTE). The first and last live versions come from one
 * sort of the versions by chain and chain order (window row numbers), not from an ordered aggregate per chain.
 *
 * First payments go to an unlogged table rather than a temporary one: a query reading a temporary table cannot
 * run in parallel, and the versions' joins and sort are the run's largest step (parallel: 7.5 s → 5.1 s at a
 * million contracts on two cores). It is created and dropped inside the run's transaction, so no other session
 * ever sees it and a failed run leaves nothing behind.
 */
const FULL_FACT_STEPS: ReadonlyArray<string> = [
  // The first payment of each contract in the order of the (contract, date) index: an index-only scan that keeps
  // one row per contract, instead of a hash of every contract id (1M: 1.03 → 0.40 s; at 15M the hash spilled).
  `CREATE UNLOGGED TABLE aq_run_first_pay AS
   SELECT DISTINCT ON (contract_id) contract_id, pay_date AS first_pay FROM treasury_payment
   ORDER BY contract_id, pay_date`,
  `ANALYZE aq_run_first_pay`,
  `CREATE TEMP TABLE aq_chain_versions ON COMMIT DROP AS
   SELECT chain_key, count(*) FILTER (WHERE NOT deleted) AS n, min(first_pay) AS first_pay,
     max(sum_wnds) FILTER (WHERE NOT deleted AND rn = 1) AS first_sum,
     max(sum_wnds) FILTER (WHERE NOT deleted AND rn = live) AS last_sum,
     max(fakt_wnds) FILTER (WHERE NOT deleted AND rn = 1) AS first_fakt,
     max(fakt_wnds) FILTER (WHERE NOT deleted AND rn = live) AS last_fakt
   FROM (
     SELECT cc.chain_key, c.deleted, c.contract_sum_wnds AS sum_wnds, c.fakt_sum_wnds AS fakt_wnds, p.first_pay,
       row_number() OVER in_order AS rn, count(*) OVER (PARTITION BY cc.chain_key, c.deleted) AS live
     FROM contract_chain cc JOIN contract c ON c.id = cc.contract_id LEFT JOIN aq_run_first_pay p ON p.contract_id = c.id
     WINDOW in_order AS (PARTITION BY cc.chain_key, c.deleted ORDER BY c.sign_date ASC NULLS LAST, c.crdate, c.id)
   ) m
   GROUP BY chain_key`,
  // P for every contract with units (only roots' are used): cheaper in one pass than joining the roots first.
  // Grouped by sorting, not hashing: the distinct (contract, lot) pairs come in contract order from the units'
  // index, and hash tables of every contract spill at 15M (1M: 3.3 → 2.7 s).
  `SET LOCAL enable_hashagg = off`,
  `CREATE TEMP TABLE aq_plan ON COMMIT DROP AS
   SELECT u.contract_id, sum(l.amount) AS plan_sum, bool_and(l.id IS NOT NULL) AS complete
   FROM (SELECT DISTINCT contract_id, lot_id FROM contract_unit WHERE lot_id IS NOT NULL) u
   LEFT JOIN lot l ON l.id = u.lot_id
   GROUP BY u.contract_id`,
  `RESET enable_hashagg`,
  `ANALYZE aq_chain_versions, aq_plan`,
  // In key order: the primary key then grows at its right edge instead of splitting pages at random.
  `INSERT INTO chain_fact (${FACT_COLUMNS})
   SELECT v.chain_key, r.id, r.deleted, r.type_id, r.year_type_id, r.status_id, r.customer_bin, r.supplier_bin,
     r.contract_sum_wnds, r.crdate, r.sign_date, CASE WHEN r.id IS NOT NULL AND pl.complete THEN pl.plan_sum END,
     least(v.first_pay, kp.first_pay), v.n, v.first_sum, v.last_sum, v.first_fakt, v.last_fakt
   FROM aq_chain_versions v
   LEFT JOIN contract r ON r.id = v.chain_key AND r.parent_id IS NULL AND (r.root_id IS NULL OR r.root_id = r.id)
   LEFT JOIN aq_plan pl ON pl.contract_id = v.chain_key
   LEFT JOIN aq_run_first_pay kp ON kp.contract_id = v.chain_key
   ORDER BY v.chain_key`,
  `DROP TABLE aq_run_first_pay`
]

/** Rebuilds every chain's facts (a full run). */
export const rebuildFacts: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = reloadTable(
  "chain_fact",
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DROP TABLE IF EXISTS aq_run_first_pay, aq_chain_versions, aq_plan`
    for (const step of FULL_FACT_STEPS) yield* sql.unsafe(step)
  })
)

/**
 * Replaces the facts of the chains listed in the temp table `aq_refresh_keys` (an incremental refresh); keys
 * without versions any more lose their row.
 */
export const refreshFacts: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DELETE FROM chain_fact WHERE chain_key IN (SELECT chain_key FROM aq_refresh_keys)`
  yield* sql.unsafe(REFRESH_FACTS_SQL)
})
