import {
  type Bin,
  type ContractId,
  type Finding,
  type FindingCount,
  FindingFilter,
  FindingQuery,
  FindingStore,
  FindingStoreError,
  findingsWriteError,
  type Instant,
  type RegionCode,
  textFilterProblem
} from "@adalqarau/core"
import { Effect, Layer, Schema } from "effect"
import { SqlClient, type Statement } from "effect/sql"
import { epochMs, instantText, num, numOrNull, pgArray, str, strOrNull, stringRecord } from "./values.ts"

type Row = Record<string, unknown>

const storeError = (operation: string) => (cause: unknown) =>
  cause instanceof FindingStoreError
    ? cause
    : new FindingStoreError({ operation, message: cause instanceof Error ? cause.message : String(cause), cause })

export const FINDING_SELECT = `f.key, f.indicator, f.subject_kind, f.contract_id, f.customer_bin, f.supplier_bin, f.region,
  ${epochMs("f.date")} AS date, f.measures, f.thresholds, f.explanation_ru, f.explanation_en`

export const findingOfRow = (r: Row): Finding => {
  const customerBin = str(r.customer_bin) as Bin
  const supplierBin = str(r.supplier_bin) as Bin
  return {
    indicator: str(r.indicator),
    key: str(r.key),
    subject:
      r.subject_kind === "contract"
        ? { _tag: "contract", contractId: num(r.contract_id) as ContractId }
        : { _tag: "pair", customerBin, supplierBin },
    customerBin,
    supplierBin,
    region: strOrNull(r.region) as RegionCode | null,
    date: numOrNull(r.date) as Instant | null,
    measures: stringRecord(r.measures),
    thresholds: stringRecord(r.thresholds),
    explanation: { ru: str(r.explanation_ru), en: str(r.explanation_en) }
  }
}

/** WHERE clauses of a finding filter; every value is a bound parameter. */
export const filterClauses = (sql: SqlClient.SqlClient, f: FindingFilter): Array<Statement.Fragment> => {
  const clauses: Array<Statement.Fragment> = []
  if (f.indicators !== undefined) clauses.push(sql`f.indicator = ANY(${pgArray(f.indicators)}::text[])`)
  if (f.regions !== undefined) {
    const codes = f.regions.filter((r) => r !== null)
    const unknown = f.regions.includes(null)
    clauses.push(
      unknown
        ? sql`(f.region = ANY(${pgArray(codes)}::text[]) OR f.region IS NULL)`
        : sql`f.region = ANY(${pgArray(codes)}::text[])`
    )
  }
  if (f.customerBin !== undefined) clauses.push(sql`f.customer_bin = ${f.customerBin}`)
  if (f.supplierBin !== undefined) clauses.push(sql`f.supplier_bin = ${f.supplierBin}`)
  if (f.dateFrom !== undefined) clauses.push(sql`f.date >= ${instantText(f.dateFrom)}::timestamptz`)
  if (f.dateTo !== undefined) clauses.push(sql`f.date <= ${instantText(f.dateTo)}::timestamptz`)
  if (f.measure !== undefined) {
    // As core's measureInRange: only a measure that is a decimal number can match; compared as exact numerics.
    // The CASE keeps the cast away from texts that are not numbers (dates, for instance).
    const value = sql`(CASE WHEN f.measures ->> ${f.measure.name} ~ '^-?[0-9]+([.][0-9]+)?$'
                            THEN (f.measures ->> ${f.measure.name})::numeric END)`
    clauses.push(sql`${value} IS NOT NULL`)
    if (f.measure.min !== undefined) clauses.push(sql`${value} >= ${f.measure.min}::numeric`)
    if (f.measure.max !== undefined) clauses.push(sql`${value} <= ${f.measure.max}::numeric`)
  }
  return clauses
}

const CHUNK = 5_000

/** Writes findings with one statement per chunk; a key already present is overwritten, as the memory store does. */
export const insertFindings = (given: ReadonlyArray<Finding>, runId: number | null) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // A key given twice: the later finding wins, as in the memory store. One statement cannot update a row twice.
    const findings = [...new Map(given.map((f) => [f.key, f] as const)).values()]
    for (let start = 0; start < findings.length; start += CHUNK) {
      const chunk = findings.slice(start, start + CHUNK)
      const col = <A>(f: (x: Finding) => A) => chunk.map(f)
      yield* sql`
        INSERT INTO finding (key, indicator, subject_kind, contract_id, customer_bin, supplier_bin, region, date,
                             measures, thresholds, explanation_ru, explanation_en, run_id)
        SELECT s.key, s.indicator, s.subject_kind, s.contract_id, s.customer_bin, s.supplier_bin, s.region, s.date,
               s.measures, s.thresholds, s.explanation_ru, s.explanation_en, ${runId === null ? null : String(runId)}::bigint
        FROM unnest(${pgArray(col((x) => x.key))}::text[], ${pgArray(col((x) => x.indicator))}::text[],
                    ${pgArray(col((x) => x.subject._tag))}::text[],
                    ${pgArray(col((x) => (x.subject._tag === "contract" ? x.subject.contractId : null)))}::bigint[],
                    ${pgArray(col((x) => x.customerBin))}::text[], ${pgArray(col((x) => x.supplierBin))}::text[],
                    ${pgArray(col((x) => x.region))}::text[],
                    ${pgArray(col((x) => (x.date === null ? null : instantText(x.date))))}::timestamptz[],
                    ${pgArray(col((x) => JSON.stringify(x.measures)))}::jsonb[],
                    ${pgArray(col((x) => JSON.stringify(x.thresholds)))}::jsonb[],
                    ${pgArray(col((x) => x.explanation.ru))}::text[], ${pgArray(col((x) => x.explanation.en))}::text[])
          AS s(key, indicator, subject_kind, contract_id, customer_bin, supplier_bin, region, date, measures, thresholds,
               explanation_ru, explanation_en)
        ON CONFLICT (key) DO UPDATE SET indicator = excluded.indicator, subject_kind = excluded.subject_kind,
          contract_id = excluded.contract_id, customer_bin = excluded.customer_bin, supplier_bin = excluded.supplier_bin,
          region = excluded.region, date = excluded.date, measures = excluded.measures, thresholds = excluded.thresholds,
          explanation_ru = excluded.explanation_ru, explanation_en = excluded.explanation_en, run_id = excluded.run_id`
    }
  })

const invalid = (operation: string, error: { readonly message: string }) =>
  new FindingStoreError({ operation, message: `invalid ${operation}: ${error.message}` })

/** Decodes a filter (callers such as HTTP, RPC and the CLI may pass anything at run time) and checks its texts. */
const checkTexts = <A extends FindingFilter & { readonly afterKey?: string | undefined }>(
  operation: string,
  value: A
) => {
  const problem = textFilterProblem([...(value.indicators ?? []), value.afterKey, value.measure?.name])
  return problem === undefined ? Effect.succeed(value) : Effect.fail(invalid(operation, { message: problem }))
}

export const makePgFindingStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Checked before the transaction, as the memory store checks them: a driver's "invalid byte sequence" named
  // neither the finding nor the field, and a lone surrogate would have been stored as U+FFFD. Suspended as in the
  // memory store, so that whatever the check meets surfaces from the effect, not as an exception thrown by the call.
  const replace = (indicators: ReadonlyArray<string>, findings: ReadonlyArray<Finding>) =>
    Effect.suspend(() => {
      const refused = findingsWriteError(findings)
      if (refused !== undefined) return Effect.fail(refused)
      return sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`DELETE FROM finding WHERE indicator = ANY(${pgArray(indicators)}::text[])`
            yield* insertFindings(findings, null)
          })
        )
        .pipe(Effect.provideService(SqlClient.SqlClient, sql), Effect.mapError(storeError("replace")))
    })

  const query = (input: FindingQuery) =>
    Effect.gen(function* () {
      // Validated here because callers (HTTP, RPC, CLI) may pass anything at run time.
      const q = yield* Schema.decodeUnknownEffect(FindingQuery)(input).pipe(
        Effect.mapError((e) => invalid("query", e)),
        Effect.flatMap((value) => checkTexts("query", value))
      )
      const clauses = filterClauses(sql, q)
      if (q.afterKey !== undefined) clauses.push(sql`f.key > ${q.afterKey}`)
      const rows = yield* sql<Row>`
        SELECT ${sql.literal(FINDING_SELECT)} FROM finding f WHERE ${sql.and(clauses)}
        ORDER BY f.key LIMIT ${q.limit + 1}`
      const more = rows.length > q.limit
      const findings = yield* Effect.try({
        try: () => rows.slice(0, q.limit).map(findingOfRow),
        catch: storeError("query")
      })
      return { findings, nextKey: more ? (findings[findings.length - 1]?.key ?? null) : null }
    }).pipe(Effect.mapError(storeError("query")))

  const counts = (input: FindingFilter) =>
    Effect.gen(function* () {
      const filter = yield* Schema.decodeUnknownEffect(FindingFilter)(input).pipe(
        Effect.mapError((e) => invalid("counts", e)),
        Effect.flatMap((value) => checkTexts("counts", value))
      )
      const rows = yield* sql<Row>`
        SELECT f.indicator, f.region, count(*) AS n FROM finding f WHERE ${sql.and(filterClauses(sql, filter))}
        GROUP BY f.indicator, f.region ORDER BY f.indicator, f.region NULLS LAST`
      return yield* Effect.try({
        try: (): ReadonlyArray<FindingCount> =>
          rows.map((r) => ({
            indicator: str(r.indicator),
            region: strOrNull(r.region) as RegionCode | null,
            count: num(r.n)
          })),
        catch: storeError("counts")
      })
    }).pipe(Effect.mapError(storeError("counts")))

  return FindingStore.of({ replace, query, counts })
})

export const layerPgFindingStore: Layer.Layer<FindingStore, never, SqlClient.SqlClient> = Layer.effect(
  FindingStore,
  makePgFindingStore
)
