import { Effect, Option } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { withSnapshotPeer } from "./snapshotPeer.ts"

/** When a full run splits a statement over every version between two connections. */
export interface SplitOptions {
  /**
   * The fewest versions (contract_chain's estimated rows) worth a second connection; `Infinity` never splits. A
   * split costs a connection and an exported snapshot, and for some statements a copy of the upper half's rows.
   */
  readonly splitFromRows: number
}

/**
 * Below about this many versions a full run's statements take well under a second and a split would not pay. At
 * 140k versions (100k contracts) it does: whole runs 1.75–1.83 s alone, 1.44–1.59 s split.
 */
export const SPLIT_FROM_ROWS = 100_000

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
const splitKey = (
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

/** A statement over every version, done in two key ranges by {@link inTwoHalves}. */
export interface Halves {
  /** The contract_chain column whose range divides the work. */
  readonly by: "chain_key" | "contract_id"
  /** The share of the rows this connection takes (the lower keys). */
  readonly lowerShare: number
  /** This connection's work for a range; `{}` is all of it. */
  readonly here: (range: KeyRange) => Effect.Effect<unknown, SqlError.SqlError, SqlClient.SqlClient>
  /** The second connection's statements for the upper keys' range, committed as one transaction. */
  readonly upper: (range: KeyRange) => ReadonlyArray<string>
  /** This connection's work once both halves are done (the second connection has committed). */
  readonly gather: Effect.Effect<unknown, SqlError.SqlError, SqlClient.SqlClient>
}

/**
 * Runs `here` over the lower keys on this connection while a second one, sharing this transaction's snapshot
 * (snapshotPeer.ts), runs `upper`'s statements over the upper keys and commits; then `gather`. Runs `here({})`
 * alone below `splitFromRows` versions or when no second connection can be had. Returns the split key, or
 * undefined when it ran alone.
 */
export const inTwoHalves = (
  halves: Halves,
  options: SplitOptions
): Effect.Effect<bigint | undefined, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const split = yield* splitKey("contract_chain", halves.by, halves.lowerShare, options.splitFromRows)
    const shared =
      split === undefined
        ? Option.none()
        : yield* withSnapshotPeer(halves.upper({ from: split }), halves.here({ below: split }))
    if (Option.isNone(shared)) {
      yield* halves.here({})
      return undefined
    }
    yield* halves.gather
    return split
  })

/**
 * Copies the rows a second connection staged into `target` and empties the stage: a {@link Halves}' `gather` for
 * an upper half that must join this transaction's own rows.
 *
 * The second connection writes its half in key order into an empty stage, all of it above this half's keys: read
 * back in physical order (no synchronised scan starting mid-table), the target's primary key still grows at its
 * right edge, without a sort of half the rows.
 */
export const copyStage = (
  stage: "chain_key_diff_stage",
  target: string,
  columns: string
): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe("SET LOCAL synchronize_seqscans = off")
    yield* sql.unsafe(`INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${stage}`)
    yield* sql.unsafe("RESET synchronize_seqscans")
    yield* sql.unsafe(`TRUNCATE ${stage}`)
  })
