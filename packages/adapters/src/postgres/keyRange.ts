import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

/** Keys from `from` (inclusive) to `below` (exclusive); an end left out is open. */
export interface KeyRange {
  readonly from?: bigint
  readonly below?: bigint
}

/** `column` within the range, as SQL (the bounds are bigints, so their text is digits). */
export const inRange = (column: string, range: KeyRange): string =>
  [
    ...(range.from === undefined ? [] : [`${column} >= ${range.from}::bigint`]),
    ...(range.below === undefined ? [] : [`${column} < ${range.below}::bigint`])
  ].join(" AND ") || "TRUE"

export const bounded = (range: KeyRange): boolean => range.from !== undefined || range.below !== undefined

/**
 * The key of `table`.`column` below which about `share` of the rows lie: read from the histogram ANALYZE keeps
 * (no scan), or, without one, that share of the keys' span (min and max from the column's index). Nothing when
 * the table holds fewer than `fromRows` rows (its estimate); `Infinity` never splits. The names are this
 * package's constants, never input.
 */
export const splitKey = (
  table: "contract_chain",
  column: "chain_key" | "contract_id",
  share: number,
  fromRows: number
): Effect.Effect<bigint | undefined, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    if (!Number.isFinite(fromRows)) return undefined
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ readonly rows: unknown; readonly bound: unknown; readonly span: unknown }>`
      SELECT c.reltuples AS rows,
        (SELECT b[1 + round(${share}::float8 * (cardinality(b) - 1))::int]
         FROM pg_stats s, LATERAL (SELECT s.histogram_bounds::text::bigint[] AS b) h
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = ${column}) AS bound,
        (SELECT min(${sql(column)}) + round(${share}::numeric * (max(${sql(column)}) - min(${sql(column)})))::bigint
         FROM ${sql(table)}) AS span
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = ${table}::regclass`
    if (row === undefined || Number(row.rows) < fromRows) return undefined
    const key = row.bound ?? row.span
    return key === null || key === undefined ? undefined : BigInt(String(key))
  })
