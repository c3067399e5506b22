import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { bounded, inRange, inTwoHalves, type KeyRange, type SplitOptions } from "./keyRange.ts"
import { withPlanMethodsOff } from "./planner.ts"
import { emptyForReload, secondaryIndexes } from "./reload.ts"

/** A member is its chain's root: its id is the key, with no parent and no root id other than its own. */
const IS_ROOT = "id = chain_key AND parent_id IS NULL AND (root_id IS NULL OR root_id = id)"

/**
 * Chain order (core's groupChains and makeChain): the root first, signed or not — it is the original by
 * definition — then the amendments by sign_date, crdate and id, a missing sign date last.
 */
const CHAIN_ORDER = `(${IS_ROOT}) DESC, sign_date ASC NULLS LAST, crdate, id`

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
      array_agg(contract_sum_wnds ORDER BY ${CHAIN_ORDER}) AS sums,
      array_agg(fakt_sum_wnds ORDER BY ${CHAIN_ORDER}) AS fakts
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

/** The root's value of a column: the one version of the chain that is its root (NULL without one). */
const rootOf = (column: string, alias = column): string => `max(${column}) FILTER (WHERE is_root) AS ${alias}`

const MEMBER_COLUMNS = `cc.chain_key, c.id, c.parent_id, c.root_id, c.deleted, c.contract_sum_wnds, c.fakt_sum_wnds,
    c.type_id, c.year_type_id, c.status_id, c.customer_bin, c.supplier_bin, c.crdate, c.sign_date`

/**
 * The facts of the chains whose keys lie in `range`, inserted into `target`, in one statement whose inputs all
 * arrive in key order and meet in merge joins: contract_chain by its primary key, the versions by id (the
 * partitions' primary keys, or a scan and one sort where the planner finds that cheaper, as at 15M), first
 * payments by the (contract, date) index; the versions are then sorted once by chain and chain order for one
 * window pass. The root is the member whose id is the chain key, so its columns come out of the same pass, and
 * the plan sums, grouped in contract order, meet the chains in key order too — the order the insert wants, so
 * that the primary key grows at its right edge.
 *
 * The earlier build in steps (temporary tables joined by hash) spilled every hash table to disk at 15M contracts:
 * a table of 15M roots, of 12M first payments, of 15M plan sums. Hash joins and hash aggregation are turned off
 * for this statement alone, since the planner, costing an unsorted stream, would otherwise pick them.
 *
 * A bounded range reads the versions whose ids lie in it, in one ordered pass as above, and apart from them the
 * few members numbered outside it (an amendment numbered far from its root), through the chain-key index and
 * one primary-key probe each: a chain's members may lie anywhere, its facts must not depend on where.
 */
const factsSql = (target: "chain_fact" | "chain_fact_upper", range: KeyRange): string => `
  -- Read twice (per version, per chain key) rather than materialised: a CTE's rows lose the index's order and
  -- would be sorted again for each merge join.
  WITH first_pay AS NOT MATERIALIZED (
    SELECT DISTINCT ON (contract_id) contract_id, pay_date FROM treasury_payment
    WHERE ${inRange("contract_id", range)} ORDER BY contract_id, pay_date
  ),
  members AS (
    SELECT ${MEMBER_COLUMNS}, p.pay_date AS first_pay
    FROM contract_chain cc
    JOIN contract c ON c.id = cc.contract_id
    LEFT JOIN first_pay p ON p.contract_id = c.id
    -- The range on both sides of the join: the planner carries equalities across a join, not ranges.
    WHERE ${inRange("cc.contract_id", range)} AND ${inRange("c.id", range)} AND ${inRange("cc.chain_key", range)}${
      bounded(range)
        ? `
    UNION ALL
    SELECT ${MEMBER_COLUMNS}, p.pay_date
    FROM contract_chain cc
    -- A probe per member (OFFSET 0 keeps it one): the planner multiplies the two range conditions' selectivities
    -- as if independent, expects a tenth of the versions instead of the few that straddle the split, and would
    -- merge-join them with every version (0.9 s of a half at 1M, for 913 members).
    CROSS JOIN LATERAL (SELECT * FROM contract v WHERE v.id = cc.contract_id AND v.fin_part = cc.fin_part OFFSET 0) c
    LEFT JOIN LATERAL (
      SELECT t.pay_date FROM treasury_payment t WHERE t.contract_id = c.id ORDER BY t.pay_date LIMIT 1
    ) p ON true
    WHERE ${inRange("cc.chain_key", range)} AND NOT (${inRange("cc.contract_id", range)})`
        : ""
    }
  ),
  versions AS (
    SELECT chain_key, id, deleted, contract_sum_wnds AS sum_wnds, first_pay,
      ${IS_ROOT} AS is_root,
      type_id, year_type_id, status_id, customer_bin, supplier_bin, crdate, sign_date, fakt_sum_wnds,
      row_number() OVER same_state = 1 AS is_first,
      lead(id) OVER same_state IS NULL AS is_last
    FROM members
    -- The chain's live (or deleted) versions in chain order, each row told whether it is the first or the last of
    -- them: one window pass, where row numbers and a count per partition took two (0.7 s of 3.4 s at 1M), and two
    -- functions that look one row around, where the first and last values of the whole partition took 0.2 s more
    -- per half at 1M.
    WINDOW same_state AS (PARTITION BY chain_key, deleted ORDER BY ${CHAIN_ORDER})
  ),
  chains AS (
    SELECT chain_key, count(*) FILTER (WHERE NOT deleted) AS n, min(first_pay) AS first_pay,
      max(sum_wnds) FILTER (WHERE NOT deleted AND is_first) AS first_sum,
      max(sum_wnds) FILTER (WHERE NOT deleted AND is_last) AS last_sum,
      max(fakt_sum_wnds) FILTER (WHERE NOT deleted AND is_first) AS first_fakt,
      max(fakt_sum_wnds) FILTER (WHERE NOT deleted AND is_last) AS last_fakt,
      ${rootOf("id", "root_id")}, bool_or(deleted) FILTER (WHERE is_root) AS root_deleted, ${rootOf("type_id")},
      ${rootOf("year_type_id")}, ${rootOf("status_id")}, ${rootOf("customer_bin")}, ${rootOf("supplier_bin")},
      ${rootOf("sum_wnds", "root_sum")}, ${rootOf("crdate")}, ${rootOf("sign_date")}
    FROM versions
    GROUP BY chain_key
  ),
  -- P for every contract with units (only roots' are used): cheaper in one ordered pass than probing per root.
  planned AS (
    SELECT u.contract_id, sum(l.amount) AS plan_sum, bool_and(l.id IS NOT NULL) AS complete
    FROM (SELECT DISTINCT contract_id, lot_id FROM contract_unit
          WHERE lot_id IS NOT NULL AND ${inRange("contract_id", range)}) u
    LEFT JOIN lot l ON l.id = u.lot_id
    GROUP BY u.contract_id
  )
  INSERT INTO ${target} (${FACT_COLUMNS})
  SELECT v.chain_key, v.root_id, v.root_deleted, v.type_id, v.year_type_id, v.status_id, v.customer_bin,
    v.supplier_bin, v.root_sum, v.crdate, v.sign_date,
    CASE WHEN v.root_id IS NOT NULL AND pl.complete THEN pl.plan_sum END,
    -- Payments on the chain key itself count even when no stored version has that id.
    least(v.first_pay, kp.pay_date), v.n, v.first_sum, v.last_sum, v.first_fakt, v.last_fakt
  FROM chains v
  LEFT JOIN planned pl ON pl.contract_id = v.chain_key
  LEFT JOIN first_pay kp ON kp.contract_id = v.chain_key
  ORDER BY v.chain_key`

/** How the facts were built: `splitAt` is the chain key from which the second connection computed them. */
export interface FactBuild {
  readonly splitAt: bigint | undefined
}

/**
 * Rebuilds every chain's facts (a full run). From `splitFromRows` versions on, the chains are halved at a key and
 * a second connection computes the upper half while this one computes the lower half (keyRange.ts
 * `inTwoHalves`): PostgreSQL runs no part of an INSERT … SELECT in parallel, and the statement is most of a full
 * run.
 *
 * The upper half stays where the second connection writes it, in chain_fact_upper, an inheritance child of
 * chain_fact (migration 0017): every statement over chain_fact reads both. Copying it into chain_fact took 0.6 s
 * of a 10 s run at 1M contracts and 10–12 s at 15M, and the second connection now builds that half's indexes and
 * statistics while this one builds its own. It commits before this transaction does, so it first deletes the
 * mark that the derived tables are whole (derived_table_state), which this run sets again when it commits: should
 * this transaction fail, chain_fact would hold the old lower half beside the new upper one, and the next refresh
 * then runs in full. This transaction must not have read chain_fact before: its lock on the child would hold up
 * the second connection's TRUNCATE until this transaction ends, which waits for that connection (which gives up
 * after `UPPER_LOCK_TIMEOUT`, failing the run).
 *
 * The second connection does not see this transaction's own writes; the caller passes `Infinity` when it has
 * written records the facts read (the chain-key repair).
 */
export const rebuildFacts = (options: SplitOptions): Effect.Effect<FactBuild, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const definitions = (yield* emptyForReload("chain_fact")).map((index) => index.definition)
    const upperIndexes = yield* secondaryIndexes("chain_fact_upper")
    const splitAt = yield* withPlanMethodsOff(["hashjoin", "hashagg"])(
      inTwoHalves(
        {
          by: "chain_key",
          // A little over half: the other connection also analyses its half.
          lowerShare: 0.51,
          // Each half's indexes are built by its own connection as soon as its rows are in, one process each when
          // halved: parallel workers would take the core the other half is still computing on.
          here: (range) =>
            Effect.andThen(
              sql.unsafe(factsSql("chain_fact", range)),
              Effect.forEach(
                bounded(range)
                  ? [SERIAL_INDEX_BUILDS, ...definitions, "RESET max_parallel_maintenance_workers"]
                  : definitions,
                (statement) => sql.unsafe(statement),
                { discard: true }
              )
            ),
          upper: (range) => [
            "DELETE FROM derived_table_state",
            // A lock the run's transaction held on the child would make this wait for ever: fail instead.
            `SET LOCAL lock_timeout = '${UPPER_LOCK_TIMEOUT}'`,
            "TRUNCATE chain_fact_upper",
            "RESET lock_timeout",
            ...upperIndexes.map((index) => `DROP INDEX ${index.name}`),
            factsSql("chain_fact_upper", range),
            SERIAL_INDEX_BUILDS,
            ...upperIndexes.map((index) => index.definition),
            "ANALYZE chain_fact_upper"
          ],
          gather: Effect.void
        },
        options
      )
    )
    if (splitAt === undefined) yield* sql`TRUNCATE chain_fact_upper`
    // Statistics of chain_fact alone and of both halves together.
    yield* sql`ANALYZE chain_fact`
    return { splitAt }
  })

const SERIAL_INDEX_BUILDS = "SET LOCAL max_parallel_maintenance_workers = 0"

/**
 * How long the second connection waits to truncate chain_fact_upper: it waits for autovacuum to give way (1 s,
 * `deadlock_timeout`), or for a vacuum against wraparound to finish; a wait on the run's own transaction would
 * never end.
 */
const UPPER_LOCK_TIMEOUT = "1min"

/**
 * Replaces the facts of the chains listed in the temp table `aq_refresh_keys` (an incremental refresh); keys
 * without versions any more lose their row.
 */
export const refreshFacts: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DELETE FROM chain_fact WHERE chain_key IN (SELECT chain_key FROM aq_refresh_keys)`
  yield* sql.unsafe(REFRESH_FACTS_SQL)
})
