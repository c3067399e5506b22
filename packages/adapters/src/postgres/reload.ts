import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

/**
 * Replaces every row of a derived table (pair_count; chain_fact's rebuild in facts.ts takes the steps apart):
 * TRUNCATE, `fill`, ANALYZE — with the secondary indexes dropped before the load and built again after it, as
 * PostgreSQL's advice for populating a table goes: maintaining them row by row cost as much as computing the rows.
 * `fill` should insert in primary-key order, so that the one index kept grows at its right edge. The definitions
 * are read from the catalogue, so the migrations stay their only source. Only the indicator engine reads these
 * tables, under the ingest lock.
 */
export const reloadTable = <A, E, R>(
  table: "pair_count",
  fill: Effect.Effect<A, E, R>
): Effect.Effect<A, SqlError.SqlError | E, SqlClient.SqlClient | R> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const indexes = yield* emptyForReload(table)
    const filled = yield* fill
    for (const index of indexes) yield* sql.unsafe(index.definition)
    yield* sql.unsafe(`ANALYZE ${table}`)
    return filled
  })

/**
 * The first step of {@link reloadTable}: empties the table's own rows and drops its secondary indexes, returning
 * them for the caller to build again once it is filled.
 */
export const emptyForReload = (
  table: "chain_fact" | "pair_count"
): Effect.Effect<ReadonlyArray<IndexDefinition>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // ONLY: chain_fact's inheritance child holds the upper half that a second connection rewrites on its own
    // (facts.ts); a lock on it held by this transaction would stall that connection until this one ends.
    yield* sql.unsafe(`TRUNCATE ONLY ${table}`)
    const indexes = yield* secondaryIndexes(table)
    for (const index of indexes) yield* sql.unsafe(`DROP INDEX ${index.name}`)
    return indexes
  })

export interface IndexDefinition {
  readonly name: string
  readonly definition: string
}

/** A table's indexes that back no constraint (its primary key stays), with the statements that create them. */
export const secondaryIndexes = (
  table: "chain_fact" | "chain_fact_upper" | "pair_count"
): Effect.Effect<ReadonlyArray<IndexDefinition>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<IndexDefinition>`
      -- regclass text is quoted and schema-qualified as SQL needs it.
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i
      WHERE i.indrelid = ${table}::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`
  )
