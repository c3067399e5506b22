import {
  type AcceleratedPaymentParams,
  type CommonFilters,
  IndicatorEngine,
  IndicatorEngineError,
  IndicatorRegistry,
  type IndicatorStats,
  type ParamsError,
  type ResolvedParams,
  keepsFiltersInForce,
  type RunReport
} from "@adalqarau/core"
import { Clock, Context, Effect, Layer } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { rebuildChainKeys } from "./chains.ts"
import {
  clearFindings,
  evaluateIndicator,
  isStandardCode,
  NO_PAYMENTS,
  MAX_EXACT_TIYN,
  PLAN_SUM_BEYOND_RANGE,
  PLAN_SUM_NOT_POSITIVE,
  PLAN_SUM_UNKNOWN,
  FILTER_CHECK_COLUMNS,
  filterChecksSql,
  reasonOfChecksSql,
  SINGLE_VERSION,
  type PairCount,
  type Scope,
  type StandardCode
} from "./evaluate.ts"
import { rebuildFacts, refreshFacts } from "./facts.ts"
import { SPLIT_FROM_ROWS, type SplitOptions } from "./keyRange.ts"
import { sqlErrorText } from "./sqlErrorText.ts"
import { withIngestLock } from "./PgContractStore.ts"
import { instantText, num, pgArray, strOrNull } from "./values.ts"

export interface SqlRunReport extends RunReport {
  /** "full": every chain re-derived; "refresh": only the chains and pairs touched since the last run. */
  readonly mode: "full" | "refresh"
  readonly runId: number
}

/**
 * The SQL engine: the IndicatorEngine port plus `refresh`, which re-derives only what the imports since the last
 * run touched and gives the same findings and stats as a full run (tested).
 */
export class SqlIndicatorEngine extends Context.Service<
  SqlIndicatorEngine,
  {
    /** Full run: chain keys, chain facts and the findings of the indicators run are all recomputed. */
    readonly run: (params?: unknown) => Effect.Effect<SqlRunReport, IndicatorEngineError | ParamsError>
    /**
     * Incremental run: facts of the queued chains only; findings of those chains and of the pairs of their customers
     * and suppliers only, when the parameters equal the last run's (otherwise every finding is re-evaluated from the
     * facts). Falls back to a full run when there has been none. Without `params`, the parameters in force, not the
     * defaults: every indicator some run evaluated, each with the parameters of the last run that evaluated it (as it
     * was asked for them), and the newest run's filters; read once the refresh holds the ingest lock. An indicator no
     * run evaluated is left out until one does; the report names it (`neverEvaluated`).
     */
    readonly refresh: (params?: unknown) => Effect.Effect<SqlRunReport, IndicatorEngineError | ParamsError>
    /** Whether `run` would take these parameters now (see `IndicatorEngine.check`); read without the ingest lock. */
    readonly check: (params: unknown) => Effect.Effect<void, IndicatorEngineError | ParamsError>
  }
>()("@adalqarau/adapters/SqlIndicatorEngine") {}

/**
 * The parameters in force as params.json input: the newest run's filters, each evaluated indicator's parameters, and
 * in `only` the indicators some run evaluated (left out before the first run: then every indicator, with the defaults).
 */
interface InputInForce {
  readonly filters?: unknown
  readonly indicators?: Readonly<Record<string, unknown>>
  readonly only?: ReadonlyArray<string>
}

interface Plan {
  /** The parameters as asked for (params.json's shape), kept with the run for later refreshes. */
  readonly input: unknown
  readonly filters: CommonFilters
  readonly indicators: ReadonlyArray<{ readonly code: StandardCode; readonly params: unknown }>
  /** Canonical text of the resolved parameters: equal text, equal evaluation. */
  readonly key: string
}

/** A plan's key (`indicator_run.params`) as params.json input that resolves to the same plan. */
const inputOfPlanKey = (key: string): unknown => {
  try {
    const parsed = JSON.parse(key) as {
      readonly filters: unknown
      readonly indicators: ReadonlyArray<[string, unknown]>
    }
    return {
      filters: parsed.filters,
      indicators: Object.fromEntries(parsed.indicators),
      only: parsed.indicators.map(([code]) => code)
    }
  } catch {
    return undefined
  }
}

const planOf = (input: unknown, resolved: ResolvedParams): Effect.Effect<Plan, IndicatorEngineError> => {
  const indicators: Array<{ code: StandardCode; params: unknown }> = []
  for (const { indicator, params } of resolved.indicators) {
    if (!isStandardCode(indicator.code)) {
      return Effect.fail(
        new IndicatorEngineError({
          message: `indicator ${indicator.code} has no SQL implementation; run it with the in-memory engine`
        })
      )
    }
    indicators.push({ code: indicator.code, params })
  }
  const key = JSON.stringify({ filters: resolved.filters, indicators: indicators.map((i) => [i.code, i.params]) })
  return Effect.succeed({ input, filters: resolved.filters, indicators, key })
}

type Row = Record<string, unknown>

/**
 * Chains counted by the outcome of each check the statistics need (a handful of groups), keyed by the outcomes as
 * JSON: over every chain, or over those of the refresh (aq_refresh_keys) — whose counts before and after the
 * refresh adjust the last run's groups.
 */
type FactGroups = Record<string, number>

const groupKey = (g: Row): string =>
  JSON.stringify([
    strOrNull(g.common_reason),
    strOrNull(g.acc_reason),
    String(g.plan_state),
    g.has_pay === true,
    g.multi === true
  ])

const accStatusesOf = (plan: Plan): ReadonlyArray<number> => {
  const accelerated = plan.indicators.find((i) => i.code === "accelerated-payment")
  return accelerated === undefined ? plan.filters.statusIds : (accelerated.params as AcceleratedPaymentParams).statusIds
}

const countGroups = (plan: Plan, scope: Scope) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const where = scope === "all" ? sql`TRUE` : sql`f.chain_key IN (SELECT chain_key FROM aq_refresh_keys)`
    // Chains grouped by the checks' outcomes first (booleans: a few hundred groups, found by parallel workers each
    // over its share of a full run's chains), then by the reasons those outcomes give.
    const rows = yield* sql<Row>`
      SELECT ${reasonOfChecksSql(sql, "bad_status")} AS common_reason,
        ${reasonOfChecksSql(sql, "bad_acc_status")} AS acc_reason,
        CASE WHEN plan_unknown THEN 'unknown' WHEN plan_not_positive THEN 'not positive'
             WHEN plan_beyond_range THEN 'beyond range' ELSE 'ok' END AS plan_state,
        has_pay, multi, sum(n) AS n
      FROM (
        SELECT ${filterChecksSql(sql, plan.filters, accStatusesOf(plan))},
          f.plan_sum IS NULL AS plan_unknown, f.plan_sum <= 0 IS TRUE AS plan_not_positive,
          f.plan_sum > ${sql.literal(MAX_EXACT_TIYN)} IS TRUE AS plan_beyond_range,
          f.first_pay IS NOT NULL AS has_pay, f.n_versions >= 2 AS multi, count(*) AS n
        FROM chain_fact f WHERE ${where}
        GROUP BY ${sql.csv([
          ...FILTER_CHECK_COLUMNS,
          "plan_unknown",
          "plan_not_positive",
          "plan_beyond_range",
          "has_pay",
          "multi"
        ])}
      ) g
      GROUP BY common_reason, acc_reason, plan_state, has_pay, multi`
    const groups: FactGroups = {}
    for (const row of rows) groups[groupKey(row)] = num(row.n)
    return groups
  })

/** `base + after - before`, without the groups that come to zero. */
const adjustGroups = (base: FactGroups, after: FactGroups, before: FactGroups): FactGroups => {
  const out: FactGroups = { ...base }
  for (const [key, n] of Object.entries(after)) out[key] = (out[key] ?? 0) + n
  for (const [key, n] of Object.entries(before)) out[key] = (out[key] ?? 0) - n
  for (const [key, n] of Object.entries(out)) if (n === 0) delete out[key]
  return out
}

/** A stored fact_groups value, or undefined when absent or not counts (then the groups are counted again). */
const storedGroups = (value: unknown): FactGroups | undefined => {
  if (typeof value !== "string") return undefined
  const parsed: unknown = JSON.parse(value)
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
  const groups: FactGroups = {}
  for (const [key, n] of Object.entries(parsed)) {
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) return undefined
    groups[key] = n
  }
  return groups
}

/**
 * Evaluated / skipped counts of every indicator from the fact groups: each indicator adds up the groups as its
 * evaluation would. Partnership evaluates the passing pairs, which pair_count holds (`pairs`).
 */
const computeStats = (plan: Plan, groups: FactGroups, pairs: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const flagged = yield* sql<Row>`
      SELECT indicator, count(*) AS n FROM finding
      WHERE indicator = ANY(${pgArray(plan.indicators.map((i) => i.code))}::text[]) GROUP BY indicator`
    const flaggedBy = new Map(flagged.map((r) => [String(r.indicator), num(r.n)]))

    const stats: Record<string, IndicatorStats> = {}
    for (const { code } of plan.indicators) {
      let evaluated = 0
      const skipped: Record<string, number> = {}
      const skip = (reason: string, n: number) => {
        skipped[reason] = (skipped[reason] ?? 0) + n
      }
      for (const [key, n] of Object.entries(groups)) {
        const [common, acc, planState, hasPay, multi] = JSON.parse(key) as [
          string | null,
          string | null,
          string,
          boolean,
          boolean
        ]
        switch (code) {
          case "super-dumping":
          case "minimal-dumping":
            if (common !== null) skip(common, n)
            else if (planState === "unknown") skip(PLAN_SUM_UNKNOWN, n)
            else if (planState === "not positive") skip(PLAN_SUM_NOT_POSITIVE, n)
            else if (planState === "beyond range") skip(PLAN_SUM_BEYOND_RANGE, n)
            else evaluated += n
            break
          case "accelerated-payment":
            if (acc !== null) skip(acc, n)
            else if (!hasPay) skip(NO_PAYMENTS, n)
            else evaluated += n
            break
          case "sum-growth":
            if (common !== null) skip(common, n)
            else if (!multi) skip(SINGLE_VERSION, n)
            else evaluated += n
            break
          case "partnership":
            if (common !== null) skip(common, n)
            break
        }
      }
      if (code === "partnership") evaluated = pairs
      stats[code] = { evaluated, flagged: flaggedBy.get(code) ?? 0, skipped }
    }
    return stats
  })

/**
 * Memory per sort or hash of a full run (the server's default, 4MB, spills every one of them to disk at a
 * million contracts). Local to the run's transaction.
 */
const FULL_RUN_WORK_MEM = "256MB"

/**
 * Costs of parallel query local to a full run. With the defaults (1000 to start workers, 0.1 per row passed to
 * the leader) the planner keeps the run's joins and sorts of whole tables serial; they are one-off statements
 * over millions of rows, where the workers pay for themselves many times over.
 */
const FULL_RUN_PARALLEL_COSTS = ["SET LOCAL parallel_setup_cost = 100", "SET LOCAL parallel_tuple_cost = 0.01"]

const RECORD_TABLES = ["contract_chain", "contract_unit", "lot", "treasury_payment", "subject"] as const

/**
 * ANALYZE of the record tables whose statistics are missing or stale by autovacuum's own rule (10 % + 50 rows
 * changed since the last analysis), before a full run plans over them: plans over an import's worth of unseen
 * rows can be quadratic, and analysing fresh tables again cost seconds at a million contracts. The partitioned
 * contract table is never analysed by autovacuum; it is analysed (with its partitions) when any partition is stale.
 */
const analyzeStale = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly table: string }>`
    WITH stats AS (
      SELECT s.relname,
        s.last_analyze IS NULL AND s.last_autoanalyze IS NULL
          OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) AS stale,
        p.inhparent IS NOT NULL AND p.inhparent = 'contract'::regclass AS contract_partition
      FROM pg_stat_user_tables s
      JOIN pg_class c ON c.oid = s.relid
      LEFT JOIN pg_inherits p ON p.inhrelid = s.relid
    )
    SELECT 'contract' AS table WHERE EXISTS (SELECT 1 FROM stats WHERE contract_partition AND stale)
      OR EXISTS (SELECT 1 FROM stats WHERE relname = 'contract' AND stale)
    UNION ALL
    SELECT relname FROM stats WHERE stale AND relname = ANY(${pgArray([...RECORD_TABLES])}::text[])`
  const stale = rows
    .map((r) => r.table)
    .filter((t) => t === "contract" || (RECORD_TABLES as ReadonlyArray<string>).includes(t))
  if (stale.length > 0) yield* sql.unsafe(`ANALYZE ${stale.join(", ")}`)
})

const engineError = (what: string) => (cause: SqlError.SqlError | Error) =>
  new IndicatorEngineError({ message: `${what} failed: ${sqlErrorText(cause)}`, cause })

export const makeSqlIndicatorEngine = (
  registry: IndicatorRegistry = IndicatorRegistry.standard,
  options: SplitOptions = { splitFromRows: SPLIT_FROM_ROWS }
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const startRun = (mode: "full" | "refresh", plan: Plan, startedAt: number) =>
      Effect.map(
        sql<{ id: unknown }>`
          INSERT INTO indicator_run (mode, started_at, finished_at, indicators, params, params_input, findings, stats)
          VALUES (${mode}, ${instantText(startedAt)}::timestamptz, ${instantText(startedAt)}::timestamptz,
                  ${pgArray(plan.indicators.map((i) => i.code))}::text[], ${plan.key},
                  ${JSON.stringify(plan.input)}::jsonb, 0, '{}'::jsonb)
          RETURNING id`,
        (rows) => num(rows[0]?.id)
      )

    const finishRun = (
      runId: number,
      startedAt: number,
      mode: "full" | "refresh",
      plan: Plan,
      groups: FactGroups,
      pairs: number
    ) =>
      Effect.gen(function* () {
        const stats = yield* computeStats(plan, groups, pairs)
        const findings = Object.values(stats).reduce((sum, s) => sum + s.flagged, 0)
        const finishedAt = yield* Clock.currentTimeMillis
        yield* sql`
          UPDATE indicator_run SET finished_at = ${instantText(finishedAt)}::timestamptz, findings = ${findings},
                                   stats = ${JSON.stringify(stats)}::jsonb, fact_groups = ${JSON.stringify(groups)}::jsonb
          WHERE id = ${String(runId)}::bigint`
        return {
          mode,
          runId,
          startedAt,
          finishedAt,
          indicators: plan.indicators.map((i) => i.code),
          findings,
          stats
        } satisfies Omit<SqlRunReport, "neverEvaluated">
      })

    /**
     * The pairs pair_count holds after an evaluation: as counted, or the last run's count (`last`, with the same
     * parameters) changed by the refresh — counted again only when no such count is stored.
     */
    const pairTotal = (pairs: PairCount, last: number | undefined) =>
      "counted" in pairs
        ? Effect.succeed(pairs.counted)
        : last !== undefined
          ? Effect.succeed(last + pairs.changedBy)
          : Effect.map(sql<Row>`SELECT count(*) AS n FROM pair_count`, (rows) => num(rows[0]?.n ?? 0))

    /** Evaluates every indicator of the plan; partnership's count of pairs comes back (none without it). */
    const evaluateAll = (plan: Plan, scope: Scope, runId: number) =>
      Effect.map(
        Effect.forEach(plan.indicators, ({ code, params }) =>
          Effect.andThen(clearFindings(code, scope), evaluateIndicator(code, params, plan.filters, scope, runId))
        ),
        (results): PairCount => results.find((r) => r !== undefined) ?? { counted: 0 }
      )

    const fullRun = (plan: Plan, startedAt: number) =>
      Effect.gen(function* () {
        yield* sql.unsafe(`SET LOCAL work_mem = '${FULL_RUN_WORK_MEM}'`)
        for (const setting of FULL_RUN_PARALLEL_COSTS) yield* sql.unsafe(setting)
        yield* analyzeStale
        const repaired = yield* rebuildChainKeys(options)
        // A second connection would not see the repair until this transaction commits.
        yield* rebuildFacts(repaired > 0 ? { splitFromRows: Number.POSITIVE_INFINITY } : options)
        // After a large import the queues hold millions of keys; a DELETE would leave them for the next refresh to
        // read through as dead rows until vacuum (1.1 s at 15M). Only runs and imports touch them, both under the
        // ingest lock, so the exclusive lock of TRUNCATE waits for nobody.
        yield* sql`TRUNCATE refresh_chain, refresh_subject`
        const runId = yield* startRun("full", plan, startedAt)
        const pairs = yield* pairTotal(yield* evaluateAll(plan, "all", runId), undefined)
        yield* sql`
          INSERT INTO derived_table_state (built_by_run) VALUES (${String(runId)}::bigint)
          ON CONFLICT (singleton) DO UPDATE SET built_by_run = excluded.built_by_run`
        return yield* finishRun(runId, startedAt, "full", plan, yield* countGroups(plan, "all"), pairs)
      })

    /**
     * Whether chain_fact and pair_count hold what the last full run built (and refreshes patched): unlogged, they
     * are empty after a crash, on a standby and in a restored base backup, and so is derived_table_state.
     */
    const derivedTablesIntact = Effect.map(sql`SELECT 1 FROM derived_table_state`, (rows) => rows.length > 0)

    const incremental = (plan: Plan, startedAt: number) =>
      Effect.gen(function* () {
        const last = yield* sql<{ params: unknown; fact_groups: unknown; pairs: unknown }>`
          SELECT params, fact_groups::text AS fact_groups, stats -> 'partnership' ->> 'evaluated' AS pairs
          FROM indicator_run ORDER BY id DESC LIMIT 1`
        if (last[0] === undefined || !(yield* derivedTablesIntact)) return yield* fullRun(plan, startedAt)
        // Equal parameters: only what the queued chains touch is evaluated again, and the last run's fact
        // groups are adjusted by them. Otherwise every finding is evaluated again from the (refreshed) facts.
        const sameParams = String(last[0].params) === plan.key
        const lastGroups = sameParams ? storedGroups(last[0].fact_groups) : undefined
        // A refresh touches a sliver of each table through its indexes; with the default cost of a random page
        // (4, a spinning disk's) the planner prefers reading whole tables once the sliver passes ~1 %.
        yield* sql`SET LOCAL random_page_cost = 1.1`
        yield* sql`DROP TABLE IF EXISTS aq_refresh_keys, aq_refresh_customers, aq_refresh_suppliers, aq_refresh_subjects, aq_refresh_pairs`
        yield* sql`CREATE TEMP TABLE aq_refresh_keys (chain_key bigint PRIMARY KEY) ON COMMIT DROP`
        yield* sql`CREATE TEMP TABLE aq_refresh_customers (bin text PRIMARY KEY) ON COMMIT DROP`
        yield* sql`CREATE TEMP TABLE aq_refresh_suppliers (bin text PRIMARY KEY) ON COMMIT DROP`
        yield* sql`CREATE TEMP TABLE aq_refresh_subjects (bin text PRIMARY KEY) ON COMMIT DROP`
        yield* sql`
          CREATE TEMP TABLE aq_refresh_pairs (
            customer_bin text COLLATE "C", supplier_bin text COLLATE "C", PRIMARY KEY (customer_bin, supplier_bin)
          ) ON COMMIT DROP`
        yield* sql`WITH q AS (DELETE FROM refresh_chain RETURNING chain_key) INSERT INTO aq_refresh_keys SELECT chain_key FROM q`
        yield* sql`WITH q AS (DELETE FROM refresh_subject RETURNING bin) INSERT INTO aq_refresh_subjects SELECT bin FROM q`
        // The pairs whose counts may change are those of the touched chains, and the pairs whose totals may
        // change those of their customers and suppliers — before and after the change.
        const collectBins = sql`
          WITH t AS (SELECT f.customer_bin, f.supplier_bin FROM chain_fact f
                     WHERE f.chain_key IN (SELECT chain_key FROM aq_refresh_keys)),
          c AS (INSERT INTO aq_refresh_customers SELECT DISTINCT customer_bin FROM t WHERE customer_bin IS NOT NULL
                ON CONFLICT DO NOTHING),
          s AS (INSERT INTO aq_refresh_suppliers SELECT DISTINCT supplier_bin FROM t WHERE supplier_bin IS NOT NULL
                ON CONFLICT DO NOTHING)
          INSERT INTO aq_refresh_pairs SELECT DISTINCT customer_bin, supplier_bin FROM t
          WHERE customer_bin IS NOT NULL AND supplier_bin IS NOT NULL
          ON CONFLICT DO NOTHING`
        yield* sql`ANALYZE aq_refresh_keys`
        yield* collectBins
        const before = lastGroups === undefined ? undefined : yield* countGroups(plan, "refresh")
        yield* refreshFacts
        yield* collectBins
        // Temporary tables are never analysed automatically; without statistics the planner guesses their size.
        yield* sql`ANALYZE aq_refresh_customers, aq_refresh_suppliers, aq_refresh_subjects, aq_refresh_pairs`
        const runId = yield* startRun("refresh", plan, startedAt)
        let pairs: PairCount
        if (sameParams) {
          pairs = yield* evaluateAll(plan, "refresh", runId)
          // A subject's new region shows in the findings about its contracts and pairs.
          yield* sql`
            UPDATE finding f SET region = s.region
            FROM aq_refresh_subjects r LEFT JOIN subject s ON s.bin = r.bin
            WHERE f.customer_bin = r.bin AND f.indicator = ANY(${pgArray(plan.indicators.map((i) => i.code))}::text[])
              AND f.region IS DISTINCT FROM s.region`
        } else pairs = yield* evaluateAll(plan, "all", runId)
        const groups =
          lastGroups === undefined || before === undefined
            ? yield* countGroups(plan, "all")
            : adjustGroups(lastGroups, yield* countGroups(plan, "refresh"), before)
        const lastPairs = Number(last[0].pairs ?? Number.NaN)
        const total = yield* pairTotal(pairs, Number.isSafeInteger(lastPairs) ? lastPairs : undefined)
        return yield* finishRun(runId, startedAt, "refresh", plan, groups, total)
      })

    /**
     * A run's parameters as asked for. A run recorded before migration 0020 kept only its resolved parameters
     * (`params`, the plan's key): they are read back as params.json input (its filters, each indicator's
     * parameters, and those indicators `only`), so that the first refresh after an upgrade keeps custom thresholds
     * too. What does not read back is undefined.
     */
    const inputOfRun = (row: { readonly input: string | null; readonly params: string }) =>
      Effect.gen(function* () {
        if (row.input !== null) return JSON.parse(row.input) as unknown
        const input = inputOfPlanKey(row.params)
        const usable = yield* Effect.match(registry.resolve(input), { onSuccess: () => true, onFailure: () => false })
        return usable ? input : undefined
      })

    /**
     * The parameters in force, for a refresh asked for without any (an import's): the last run's filters, and every
     * indicator some run evaluated, each with the parameters of the last run that evaluated it. A run with `only`
     * changes the parameters of those indicators alone; a refresh after it must keep the others current too, or
     * their findings would miss every change it drains from the queue. The defaults ({}) when there is no run.
     */
    const lastInput = Effect.gen(function* () {
      // Each indicator's newest run, found walking the runs back from the newest, which mostly evaluated them all:
      // sorting every run's parameters by indicator instead cost 0.2 s and 34 MB of disk at 15,000 runs (a run per
      // import), on every import.
      const known = yield* sql<{ code: string; id: unknown; input: string | null; params: string }>`
        SELECT c.code, r.id, r.input, r.params
        FROM unnest(${pgArray(registry.indicators.map((i) => i.code))}::text[]) AS c (code)
        CROSS JOIN LATERAL (
          SELECT id, params_input::text AS input, params FROM indicator_run
          WHERE c.code = ANY(indicators) ORDER BY id DESC LIMIT 1
        ) r`
      const none: InputInForce = {}
      if (known.length === 0) return none
      const indicators: Record<string, unknown> = {}
      let newest: { readonly id: number; readonly input: unknown } | undefined
      let unreadable = false
      for (const row of known) {
        const input = yield* inputOfRun(row)
        if (input === undefined) unreadable = true
        const section = (input as { readonly indicators?: Readonly<Record<string, unknown>> } | undefined)?.indicators
        if (section?.[row.code] !== undefined) indicators[row.code] = section[row.code]
        const id = num(row.id)
        if (newest === undefined || id > newest.id) newest = { id, input }
      }
      if (unreadable)
        yield* Effect.logWarning("a run's parameters could not be read back: its indicators take the defaults")
      const filters = (newest?.input as { readonly filters?: unknown } | undefined)?.filters
      const evaluated = new Set(known.map((row) => row.code))
      const inForce: InputInForce = {
        ...(filters === undefined ? {} : { filters }),
        indicators,
        only: registry.indicators.map((i) => i.code).filter((code) => evaluated.has(code))
      }
      return inForce
    }).pipe(Effect.mapError(engineError("reading the last run's parameters")))

    const planFor = (input: unknown) => Effect.flatMap(registry.resolve(input), (resolved) => planOf(input, resolved))

    /**
     * The plan of the parameters in force. Stored by earlier runs, they may no longer resolve (an upgrade renamed or
     * bounded a parameter): the caller gave none, so the error says where they came from and what replaces them.
     */
    const planInForce = (input: unknown) =>
      planFor(input).pipe(
        Effect.catchTag("ParamsError", (error) =>
          Effect.fail(
            new IndicatorEngineError({
              message:
                `the parameters in force, as earlier runs stored them, no longer resolve (${error.message}): a run ` +
                "with valid parameters for that part (or its defaults) replaces them",
              cause: error
            })
          )
        )
      )

    /**
     * Filters hold for every indicator: a refresh evaluates them all with the newest run's, and the statistics count
     * the chains once per run. A run of some indicators (`only`) with other filters than those in force would change
     * the other indicators' filters at the next import's refresh, far from the run that asked for it; it is refused,
     * naming the filters in force. Nothing is in force before the first run.
     */
    const checkFiltersInForce = (input: InputInForce, plan: Plan) =>
      keepsFiltersInForce(
        input.only ?? [],
        { codes: plan.indicators.map((i) => i.code), filters: plan.filters },
        Effect.map(planInForce(input), (inForce) => inForce.filters)
      )

    /** The registry's indicators neither the runs before (`input.only`) nor this one evaluated. */
    const neverEvaluatedAfter = (input: InputInForce, report: { readonly indicators: ReadonlyArray<string> }) => {
      const evaluated = new Set([...(input.only ?? []), ...report.indicators])
      return registry.indicators.map((i) => i.code).filter((code) => !evaluated.has(code))
    }

    const execute = (mode: "full" | "refresh") =>
      Effect.fn(`SqlIndicatorEngine.${mode}`)(function* (params?: unknown) {
        // Parameters given are checked before waiting for the lock. A refresh without any keeps those in force (the
        // stored findings were computed with them), read under the lock: read before it, they missed a run that
        // committed while this refresh waited, which then re-evaluated every finding with what that run replaced.
        const given = params === undefined && mode === "refresh" ? undefined : yield* planFor(params ?? {})
        const startedAt = yield* Clock.currentTimeMillis
        const evaluate = (plan: Plan) =>
          (mode === "full" ? fullRun(plan, startedAt) : incremental(plan, startedAt)).pipe(
            Effect.mapError(engineError(`the ${mode} indicator run`))
          )
        const body = Effect.gen(function* () {
          const inForce = yield* lastInput
          const plan = given ?? (yield* planInForce(inForce))
          if (given !== undefined) yield* checkFiltersInForce(inForce, given)
          const report = yield* evaluate(plan)
          return { ...report, neverEvaluated: neverEvaluatedAfter(inForce, report) } satisfies SqlRunReport
        })
        return yield* body.pipe(
          withIngestLock(sql),
          sql.withTransaction,
          Effect.provideService(SqlClient.SqlClient, sql),
          Effect.catchTag("SqlError", (cause) => Effect.fail(engineError(`the ${mode} indicator run`)(cause)))
        )
      })

    const check = Effect.fn("SqlIndicatorEngine.check")(function* (params: unknown) {
      const plan = yield* planFor(params)
      yield* checkFiltersInForce(yield* lastInput, plan)
    })

    return SqlIndicatorEngine.of({ run: execute("full"), refresh: execute("refresh"), check })
  })

export const layerSqlIndicatorEngine = (
  registry: IndicatorRegistry = IndicatorRegistry.standard,
  options?: SplitOptions
): Layer.Layer<SqlIndicatorEngine | IndicatorEngine, never, SqlClient.SqlClient> =>
  Layer.effectContext(
    Effect.map(makeSqlIndicatorEngine(registry, options), (engine) =>
      Context.make(SqlIndicatorEngine, engine).pipe(
        Context.add(IndicatorEngine, IndicatorEngine.of({ run: engine.run, check: engine.check }))
      )
    )
  )
