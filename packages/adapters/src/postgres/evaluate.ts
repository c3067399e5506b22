import {
  type AcceleratedPaymentParams,
  type CommonFilters,
  type FilterReason,
  formatDecimal,
  type MinimalDumpingParams,
  type PartnershipParams,
  type SumGrowthParams,
  type SuperDumpingParams
} from "@adalqarau/core"
import { Effect } from "effect"
import { SqlClient, type SqlError, type Statement } from "effect/sql"
import { insertViaParallelSelect } from "./parallelInsert.ts"
import { withPlanMethodsOff } from "./planner.ts"
import { reloadTable } from "./reload.ts"
import { num, pgArray } from "./values.ts"

/**
 * The five standard indicators as set-based statements over chain_fact, writing findings directly. Measures,
 * thresholds and explanations are built in SQL with the same text as the indicator files in core (checked by
 * the differential test against the in-memory engine); comparisons use exact numeric arithmetic, never floats.
 * Thresholds travel as the decimal text core's formatDecimal prints, which is also the exact value core compares.
 * chain_fact's and pair_count's BINs are bytewise (COLLATE "C", migration 0012). Compared with another table's
 * BINs they name the collation of the side whose index should serve: left implicit, "C" wins over the default
 * and the other table's index no longer matches. Equality is the same in both.
 */

// Skip reasons, as the in-memory indicators count them.
export const ROOT_MISSING = "root contract not in data"
export const PLAN_SUM_UNKNOWN = "plan sum unknown (no units with lots)"
export const PLAN_SUM_NOT_POSITIVE = "plan sum not positive"
export const PLAN_SUM_BEYOND_RANGE = "plan sum beyond 2^53 tiyn"
/**
 * The largest P core can hold exactly (Number.MAX_SAFE_INTEGER tiyn): a larger sum of lots is skipped there, so it
 * is skipped here too, though numeric could compute it.
 */
export const MAX_EXACT_TIYN = "9007199254740991"
export const NO_PAYMENTS = "no payments"
export const SINGLE_VERSION = "no amendments (single version)"

const REASON = {
  deleted: "deleted",
  type: "contract type not in filter",
  yearType: "year type not in filter",
  status: "status not in filter",
  customer: "customer BIN missing",
  supplier: "supplier BIN missing",
  sum: "contract sum not positive"
} as const satisfies Record<string, FilterReason>

export type Scope = "all" | "refresh"

/**
 * The pairs in pair_count after partnership's evaluation, for the statistics: counted after a full count, or the
 * change a refresh made (rows added minus rows removed) — counting every pair would make each refresh read the
 * whole table.
 */
export type PairCount = { readonly counted: number } | { readonly changedBy: number }

/**
 * The checks of the common filters, in the order core makes them (forEachFilteredRoot's missing root, then
 * filterReason), each a boolean column over chain_fact `f` that is never NULL. The status check has two columns:
 * accelerated payment has statuses of its own. Grouped by, boolean columns let the planner expect at most two
 * values each, where reason texts (a CASE over the root's columns) made it expect a group per chain and gather
 * every chain into one process to group them.
 */
const FILTER_CHECKS = [
  ["no_root", ROOT_MISSING],
  ["is_deleted", REASON.deleted],
  ["bad_type", REASON.type],
  ["bad_year_type", REASON.yearType],
  ["bad_status", REASON.status],
  ["no_customer", REASON.customer],
  ["no_supplier", REASON.supplier],
  ["bad_sum", REASON.sum]
] as const

export type StatusCheck = "bad_status" | "bad_acc_status"

/** The checks' columns as a SELECT list, named as in FILTER_CHECKS, plus `bad_acc_status`. */
export const filterChecksSql = (
  sql: SqlClient.SqlClient,
  filters: CommonFilters,
  accStatusIds: ReadonlyArray<number>
) => sql`
  f.root_id IS NULL AS no_root,
  f.deleted IS TRUE AS is_deleted,
  f.type_id IS NULL OR f.type_id <> ALL(${pgArray(filters.contractTypeIds)}::bigint[]) AS bad_type,
  f.year_type_id IS NULL OR f.year_type_id <> ALL(${pgArray(filters.yearTypeIds)}::bigint[]) AS bad_year_type,
  f.status_id IS NULL OR f.status_id <> ALL(${pgArray(filters.statusIds)}::bigint[]) AS bad_status,
  f.status_id IS NULL OR f.status_id <> ALL(${pgArray(accStatusIds)}::bigint[]) AS bad_acc_status,
  f.customer_bin IS NULL AS no_customer,
  f.supplier_bin IS NULL AS no_supplier,
  f.sum_wnds IS NULL OR f.sum_wnds <= 0 AS bad_sum`

/** The columns of {@link filterChecksSql}, for a GROUP BY. */
export const FILTER_CHECK_COLUMNS = [...FILTER_CHECKS.map(([column]) => column), "bad_acc_status"] as const

/** The first check failed, as its reason, or NULL when all pass: over {@link filterChecksSql}'s columns. */
export const reasonOfChecksSql = (sql: SqlClient.SqlClient, status: StatusCheck) =>
  sql`CASE ${sql.join(
    " ",
    false
  )(
    FILTER_CHECKS.map(
      ([column, reason]) => sql`WHEN ${sql(column === "bad_status" ? status : column)} THEN ${reason}::text`
    )
  )} END`

/** The root passes the common filters (with the given status set). */
const passesSql = (sql: SqlClient.SqlClient, filters: CommonFilters, statusIds: ReadonlyArray<number>) => sql`
  f.root_id IS NOT NULL AND NOT f.deleted
  AND f.type_id = ANY(${pgArray(filters.contractTypeIds)}::bigint[])
  AND f.year_type_id = ANY(${pgArray(filters.yearTypeIds)}::bigint[])
  AND f.status_id = ANY(${pgArray(statusIds)}::bigint[])
  AND f.customer_bin IS NOT NULL AND f.supplier_bin IS NOT NULL AND f.sum_wnds > 0`

/** Chains to evaluate: every one, or those of the refresh (temp table aq_refresh_keys). */
const scopeSql = (sql: SqlClient.SqlClient, scope: Scope): Statement.Fragment =>
  scope === "all" ? sql`TRUE` : sql`f.chain_key IN (SELECT chain_key FROM aq_refresh_keys)`

const FINDING_COLUMNS = [
  "key",
  "indicator",
  "subject_kind",
  "contract_id",
  "customer_bin",
  "supplier_bin",
  "region",
  "date",
  "measures",
  "thresholds",
  "explanation_ru",
  "explanation_en",
  "run_id"
] as const

const INSERT_FINDING = `INSERT INTO finding (${FINDING_COLUMNS.join(", ")})`

/**
 * Inserts the findings a SELECT over chain_fact computes: over every chain through parallel workers (a full
 * run's scan of millions of chains for a few findings), over a refresh's chains directly (its keys are in a
 * temporary table, which no parallel plan reads).
 */
const insertFindings = (sql: SqlClient.SqlClient, scope: Scope, select: Statement.Statement<unknown>) =>
  scope === "all"
    ? insertViaParallelSelect("finding", FINDING_COLUMNS, select)
    : sql`${sql.literal(INSERT_FINDING)} ${select}`

const runIdParam = (runId: number) => `${runId}`

const reductionIndicator = (
  sql: SqlClient.SqlClient,
  code: "super-dumping" | "minimal-dumping",
  threshold: number,
  filters: CommonFilters,
  scope: Scope,
  runId: number
) => {
  const t = formatDecimal(threshold)
  const flag =
    code === "super-dumping"
      ? sql`(f.plan_sum - f.sum_wnds) * 100 > ${t}::numeric * f.plan_sum`
      : sql`f.plan_sum > f.sum_wnds AND (f.plan_sum - f.sum_wnds) * 100 <= ${t}::numeric * f.plan_sum`
  const [ru, en] =
    code === "super-dumping"
      ? [
          "Сумма договора %s тг ниже плановой %s тг на %s%% (порог %s%%).",
          "The contract sum %s KZT is %s%% below the planned %s KZT (threshold %s%%)."
        ]
      : [
          "Сумма договора %s тг ниже плановой %s тг всего на %s%% (порог %s%%).",
          "The contract sum %s KZT is only %s%% below the planned %s KZT (threshold %s%%)."
        ]
  return insertFindings(
    sql,
    scope,
    sql`
    SELECT ${code}::text || ':' || f.chain_key, ${code}::text, 'contract', f.chain_key, f.customer_bin, f.supplier_bin,
      s.region, coalesce(f.sign_date, f.crdate),
      jsonb_build_object('plan_sum', m.plan, 'contract_sum', m.sum, 'reduction_pct', m.pct),
      jsonb_build_object('threshold_pct', ${t}::text),
      format(${ru}::text, m.sum, m.plan, m.pct, ${t}::text),
      format(${en}::text, m.sum, m.pct, m.plan, ${t}::text),
      ${runIdParam(runId)}::bigint
    FROM chain_fact f
    LEFT JOIN subject s ON s.bin = f.customer_bin COLLATE "default"
    CROSS JOIN LATERAL (
      SELECT aq_fmt_tenge(f.plan_sum) AS plan, aq_fmt_tenge(f.sum_wnds) AS sum,
             aq_fmt_fraction((f.plan_sum - f.sum_wnds) * 100, f.plan_sum) AS pct
    ) m
    WHERE ${scopeSql(sql, scope)} AND ${passesSql(sql, filters, filters.statusIds)}
      AND f.plan_sum > 0 AND f.plan_sum <= ${sql.literal(MAX_EXACT_TIYN)} AND ${flag}`
  )
}

const acceleratedPayment = (
  sql: SqlClient.SqlClient,
  params: AcceleratedPaymentParams,
  filters: CommonFilters,
  scope: Scope,
  runId: number
) => {
  const maxDays = String(params.maxDays)
  return insertFindings(
    sql,
    scope,
    sql`
    SELECT 'accelerated-payment:' || f.chain_key, 'accelerated-payment', 'contract', f.chain_key, f.customer_bin,
      f.supplier_bin, s.region, coalesce(f.sign_date, f.crdate),
      jsonb_build_object('days', m.days::text, 'contract_created', m.created, 'first_payment', m.paid),
      jsonb_build_object('max_days', ${maxDays}::text),
      format(CASE WHEN m.days < 0
               THEN ${"Первая оплата %s за %s дн. до создания договора %s (порог: менее %s дн.)."}::text
               ELSE ${"Первая оплата %s через %s дн. после создания договора %s (порог: менее %s дн.)."}::text END,
             m.paid, abs(m.days), m.created, ${maxDays}::text),
      format(CASE WHEN m.days < 0
               THEN ${"First payment on %s, %s day(s) before the contract was created on %s (threshold: fewer than %s)."}::text
               ELSE ${"First payment on %s, %s day(s) after the contract was created on %s (threshold: fewer than %s)."}::text END,
             m.paid, abs(m.days), m.created, ${maxDays}::text),
      ${runIdParam(runId)}::bigint
    FROM chain_fact f
    LEFT JOIN subject s ON s.bin = f.customer_bin COLLATE "default"
    CROSS JOIN LATERAL (
      SELECT aq_almaty_day(f.first_pay) - aq_almaty_day(f.crdate) AS days,
             to_char(aq_almaty_day(f.crdate), 'YYYY-MM-DD') AS created,
             to_char(aq_almaty_day(f.first_pay), 'YYYY-MM-DD') AS paid
    ) m
    WHERE ${scopeSql(sql, scope)} AND ${passesSql(sql, filters, params.statusIds)}
      AND f.first_pay IS NOT NULL AND m.days < ${maxDays}::numeric`
  )
}

const sumGrowth = (
  sql: SqlClient.SqlClient,
  params: SumGrowthParams,
  filters: CommonFilters,
  scope: Scope,
  runId: number
) => {
  const t = formatDecimal(params.threshold)
  return insertFindings(
    sql,
    scope,
    sql`
    SELECT 'sum-growth:' || f.chain_key, 'sum-growth', 'contract', f.chain_key, f.customer_bin, f.supplier_bin,
      s.region, coalesce(f.sign_date, f.crdate),
      jsonb_strip_nulls(jsonb_build_object(
        'versions', f.n_versions::text,
        'sum_first', aq_fmt_tenge(f.first_sum), 'sum_last', aq_fmt_tenge(f.last_sum), 'sum_growth_pct', g.sum_pct,
        'fakt_first', aq_fmt_tenge(f.first_fakt), 'fakt_last', aq_fmt_tenge(f.last_fakt), 'fakt_growth_pct', g.fakt_pct)),
      jsonb_build_object('threshold_pct', ${t}::text),
      format(${"За %s верс. договора %s (порог %s%%)."}::text, f.n_versions, concat_ws('; ',
        CASE WHEN g.sum_flag THEN format(${"сумма договора выросла на %s%% (%s → %s тг)"}::text,
          g.sum_pct, aq_fmt_tenge(f.first_sum), aq_fmt_tenge(f.last_sum)) END,
        CASE WHEN g.fakt_flag THEN format(${"фактическая сумма выросла на %s%% (%s → %s тг)"}::text,
          g.fakt_pct, aq_fmt_tenge(f.first_fakt), aq_fmt_tenge(f.last_fakt)) END), ${t}::text),
      format(${"Over %s versions %s (threshold %s%%)."}::text, f.n_versions, concat_ws('; ',
        CASE WHEN g.sum_flag THEN format(${"the contract sum grew %s%% (%s → %s KZT)"}::text,
          g.sum_pct, aq_fmt_tenge(f.first_sum), aq_fmt_tenge(f.last_sum)) END,
        CASE WHEN g.fakt_flag THEN format(${"the actual sum grew %s%% (%s → %s KZT)"}::text,
          g.fakt_pct, aq_fmt_tenge(f.first_fakt), aq_fmt_tenge(f.last_fakt)) END), ${t}::text),
      ${runIdParam(runId)}::bigint
    FROM chain_fact f
    LEFT JOIN subject s ON s.bin = f.customer_bin COLLATE "default"
    CROSS JOIN LATERAL (
      SELECT
        CASE WHEN f.first_sum <> 0 THEN aq_fmt_fraction((f.last_sum - f.first_sum) * 100, f.first_sum) END AS sum_pct,
        CASE WHEN f.first_fakt <> 0 THEN aq_fmt_fraction((f.last_fakt - f.first_fakt) * 100, f.first_fakt) END AS fakt_pct,
        coalesce(f.first_sum <> 0 AND (f.last_sum - f.first_sum) * 100 > ${t}::numeric * f.first_sum, FALSE) AS sum_flag,
        coalesce(f.first_fakt <> 0 AND (f.last_fakt - f.first_fakt) * 100 > ${t}::numeric * f.first_fakt, FALSE) AS fakt_flag
    ) g
    WHERE ${scopeSql(sql, scope)} AND ${passesSql(sql, filters, filters.statusIds)}
      AND f.n_versions >= 2 AND (g.sum_flag OR g.fakt_flag)`
  )
}

/**
 * Partnership over the filtered roots, from pair_count (chains per customer–supplier pair among the passing
 * roots): a full run counts every pair again; a refresh recounts only the pairs of the refreshed chains
 * (aq_refresh_pairs, before and after their change) through chain_fact's pair index. Findings are then written
 * for the pairs whose counts or totals can have changed — with scope "refresh", the pairs of a customer in
 * aq_refresh_customers or a supplier in aq_refresh_suppliers — with supplier and customer totals summed from
 * pair_count, never from the chains.
 */
const partnership = (
  sql: SqlClient.SqlClient,
  params: PartnershipParams,
  filters: CommonFilters,
  scope: Scope,
  runId: number
) =>
  Effect.gen(function* () {
    const s = formatDecimal(params.supplierShare)
    const k = formatDecimal(params.customerShare)
    const min = String(params.minContracts)
    const thresholds = JSON.stringify({ min_contracts: min, supplier_share: s, customer_share: k })
    const pairs = yield* countPairs(sql, filters, scope)
    // min is a positive integer; compared as bigint, the bound is a range of the (bin, n) indexes.
    const candidates =
      scope === "all"
        ? sql`SELECT customer_bin, supplier_bin, n, latest FROM pair_count WHERE n >= ${min}::bigint`
        : sql`
          SELECT p.customer_bin, p.supplier_bin, p.n, p.latest FROM pair_count p
          WHERE p.customer_bin IN (SELECT bin COLLATE "C" FROM aq_refresh_customers) AND p.n >= ${min}::bigint
          UNION
          SELECT p.customer_bin, p.supplier_bin, p.n, p.latest FROM pair_count p
          WHERE p.supplier_bin IN (SELECT bin COLLATE "C" FROM aq_refresh_suppliers) AND p.n >= ${min}::bigint`
    yield* sql`
      WITH pairs AS MATERIALIZED (${candidates}),
      by_supplier AS (
        SELECT supplier_bin, sum(n)::bigint AS n FROM pair_count
        WHERE supplier_bin IN (SELECT supplier_bin FROM pairs) GROUP BY supplier_bin
      ),
      by_customer AS (
        SELECT customer_bin, sum(n)::bigint AS n FROM pair_count
        WHERE customer_bin IN (SELECT customer_bin FROM pairs) GROUP BY customer_bin
      )
      ${sql.literal(INSERT_FINDING)}
      SELECT 'partnership:' || p.customer_bin || ':' || p.supplier_bin, 'partnership', 'pair', NULL, p.customer_bin,
        p.supplier_bin, sub.region, p.latest,
        jsonb_build_object('pair_contracts', p.n::text, 'supplier_contracts', ns.n::text,
          'customer_contracts', nc.n::text, 'supplier_share', m.s_share, 'customer_share', m.c_share),
        ${thresholds}::jsonb,
        format(${"Пара заключила %s договоров: это доля %s всех договоров поставщика (%s) и %s всех договоров заказчика (%s)."}::text,
               p.n, m.s_share, ns.n, m.c_share, nc.n),
        format(${"The pair signed %s contracts: a share of %s of the supplier's %s contracts and %s of the customer's %s."}::text,
               p.n, m.s_share, ns.n, m.c_share, nc.n),
        ${runIdParam(runId)}::bigint
      FROM pairs p
      JOIN by_supplier ns ON ns.supplier_bin = p.supplier_bin
      JOIN by_customer nc ON nc.customer_bin = p.customer_bin
      LEFT JOIN subject sub ON sub.bin = p.customer_bin COLLATE "default"
      CROSS JOIN LATERAL (SELECT aq_fmt_fraction(p.n, ns.n) AS s_share, aq_fmt_fraction(p.n, nc.n) AS c_share) m
      WHERE p.n > ${s}::numeric * ns.n AND p.n > ${k}::numeric * nc.n`
    return pairs
  })

/** Brings pair_count up to date with chain_fact for the scope (every pair, or the refreshed chains' pairs). */
const countPairs = (
  sql: SqlClient.SqlClient,
  filters: CommonFilters,
  scope: Scope
): Effect.Effect<PairCount, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const passes = passesSql(sql, filters, filters.statusIds)
    if (scope === "all") {
      // Grouped by sorting, which also gives the key order the insert wants; a hash of every pair spills at 15M
      // and is sorted again afterwards (1M: 2.2 → 1.8 s).
      yield* reloadTable(
        "pair_count",
        sql`
          INSERT INTO pair_count (customer_bin, supplier_bin, n, latest)
          SELECT f.customer_bin, f.supplier_bin, count(*), max(coalesce(f.sign_date, f.crdate))
          FROM chain_fact f WHERE ${passes}
          GROUP BY f.customer_bin, f.supplier_bin
          ORDER BY f.customer_bin, f.supplier_bin`
      ).pipe(withPlanMethodsOff(["hashagg"]))
      const all = yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM pair_count`
      return { counted: num(all[0]?.n ?? 0) }
    }
    const removed = yield* sql<{ n: unknown }>`
      WITH gone AS (
        DELETE FROM pair_count p USING aq_refresh_pairs a
        WHERE p.customer_bin = a.customer_bin AND p.supplier_bin = a.supplier_bin
        RETURNING 1
      )
      SELECT count(*) AS n FROM gone`
    const added = yield* sql<{ n: unknown }>`
      WITH fresh AS (
        INSERT INTO pair_count (customer_bin, supplier_bin, n, latest)
        SELECT f.customer_bin, f.supplier_bin, count(*), max(coalesce(f.sign_date, f.crdate))
        FROM aq_refresh_pairs a JOIN chain_fact f ON f.customer_bin = a.customer_bin AND f.supplier_bin = a.supplier_bin
        WHERE ${passes}
        GROUP BY f.customer_bin, f.supplier_bin
        RETURNING 1
      )
      SELECT count(*) AS n FROM fresh`
    return { changedBy: num(added[0]?.n ?? 0) - num(removed[0]?.n ?? 0) }
  })

export const STANDARD_CODES = [
  "super-dumping",
  "minimal-dumping",
  "accelerated-payment",
  "sum-growth",
  "partnership"
] as const
export type StandardCode = (typeof STANDARD_CODES)[number]

export const isStandardCode = (code: string): code is StandardCode =>
  (STANDARD_CODES as ReadonlyArray<string>).includes(code)

/**
 * Inserts the findings of one indicator for the scope (the caller has deleted what they replace); partnership
 * also tells how many pairs pair_count holds.
 */
export const evaluateIndicator = (
  code: StandardCode,
  params: unknown,
  filters: CommonFilters,
  scope: Scope,
  runId: number
): Effect.Effect<PairCount | undefined, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    switch (code) {
      case "super-dumping":
        yield* reductionIndicator(sql, code, (params as SuperDumpingParams).threshold, filters, scope, runId)
        return undefined
      case "minimal-dumping":
        yield* reductionIndicator(sql, code, (params as MinimalDumpingParams).threshold, filters, scope, runId)
        return undefined
      case "accelerated-payment":
        yield* acceleratedPayment(sql, params as AcceleratedPaymentParams, filters, scope, runId)
        return undefined
      case "sum-growth":
        yield* sumGrowth(sql, params as SumGrowthParams, filters, scope, runId)
        return undefined
      case "partnership":
        return yield* partnership(sql, params as PartnershipParams, filters, scope, runId)
    }
  })

/** Deletes the findings an evaluation of the scope will write again. */
export const clearFindings = (
  code: StandardCode,
  scope: Scope
): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    if (scope === "all") yield* sql`DELETE FROM finding WHERE indicator = ${code}`
    else if (code === "partnership")
      yield* sql`DELETE FROM finding WHERE indicator = ${code}
        AND (customer_bin IN (SELECT bin FROM aq_refresh_customers) OR supplier_bin IN (SELECT bin FROM aq_refresh_suppliers))`
    else
      yield* sql`DELETE FROM finding WHERE indicator = ${code} AND contract_id IN (SELECT chain_key FROM aq_refresh_keys)`
  })
