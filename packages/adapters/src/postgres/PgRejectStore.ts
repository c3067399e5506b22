import { RecordRejection } from "@adalqarau/core"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { epochMs, num, numOrNull, str, strOrNull } from "./values.ts"

export class RejectStoreError extends Schema.TaggedError<RejectStoreError>()("RejectStoreError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** An import as the rejections know it: its id, what it read and how many records it rejected. */
export interface ImportRejects {
  readonly importId: number
  readonly source: string
  readonly rejected: number
  /** When its rejected records were deleted (`ImportHistory.pruneRejections`, epoch ms); null while they are kept. */
  readonly prunedAt: number | null
}

/** Where a page of rejections ends: the batch's position in its import, and the row id within it. */
export interface RejectCursor {
  readonly seq: number
  readonly id: number
}

export interface RejectPage {
  readonly rejections: ReadonlyArray<RecordRejection>
  /** Where the next page starts; null on the last page. */
  readonly next: RejectCursor | null
}

/**
 * The rejected records an import kept in `rejected_record` (migrations/0002_imports.sql), read back: what the
 * CLI prints after an import and what `adalqarau rejects` reads later.
 */
export class RejectStore extends Context.Service<
  RejectStore,
  {
    /** The import with this id, or the latest one; none when there is no such import (or none at all). */
    readonly importRejects: (importId?: number) => Effect.Effect<Option.Option<ImportRejects>, RejectStoreError>
    /** A page of an import's rejections in reading order (batch by batch, each in file order). */
    readonly page: (
      importId: number,
      options: { readonly limit: number; readonly after?: RejectCursor }
    ) => Effect.Effect<RejectPage, RejectStoreError>
    /**
     * Runs `effect`, whose reads of this store then all see the database as it was at the first of them (one
     * read-only REPEATABLE READ transaction): an import read page by page stays whole and agrees with its
     * `importRejects`, even when a pruning (`ImportHistory.pruneRejections`) commits between two pages. On PGlite
     * the transaction holds its one session, so a pruning waits for it instead. `effect` must only read.
     */
    readonly snapshot: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | RejectStoreError, R>
  }
>()("@adalqarau/adapters/RejectStore") {}

const storeError = (operation: string) => (cause: { readonly message: string }) =>
  new RejectStoreError({ message: `${operation} failed: ${cause.message}`, cause })

const rejectionOfRow = (row: Record<string, unknown>): RecordRejection => {
  const source = strOrNull(row.source_file)
  const line = numOrNull(row.line)
  const recordId = strOrNull(row.record_id)
  return new RecordRejection({
    kind: str(row.kind),
    field: str(row.field),
    value: str(row.value),
    reason: str(row.reason),
    ...(source === null ? {} : { source }),
    ...(line === null ? {} : { line }),
    ...(recordId === null ? {} : { recordId })
  })
}

export const makePgRejectStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const importRejects = Effect.fn("RejectStore.importRejects")(function* (importId?: number) {
    const which =
      importId === undefined ? sql`(SELECT max(import_id) FROM import_batch)` : sql`${String(importId)}::bigint`
    const rows = yield* sql<Record<string, unknown>>`
      SELECT import_id, min(source) AS source, sum(rejected)::bigint AS rejected,
        ${sql.literal(epochMs("max(rejections_pruned_at)"))} AS pruned_at
      FROM import_batch WHERE import_id = ${which} GROUP BY import_id`.pipe(
      Effect.mapError(storeError("reading the imports"))
    )
    const row = rows[0]
    return row === undefined
      ? Option.none<ImportRejects>()
      : Option.some({
          importId: num(row.import_id),
          source: str(row.source),
          rejected: num(row.rejected),
          prunedAt: numOrNull(row.pruned_at)
        })
  })

  // Keyset paging on (batch seq, row id): two batches of a bulk load are written at once, so the row ids of a
  // later batch can come before an earlier one's; the seq keeps the file order.
  const page = Effect.fn("RejectStore.page")(function* (
    importId: number,
    options: { readonly limit: number; readonly after?: RejectCursor }
  ) {
    const after =
      options.after === undefined
        ? sql`TRUE`
        : sql`(b.seq, r.id) > (${options.after.seq}, ${String(options.after.id)}::bigint)`
    const rows = yield* sql<Record<string, unknown>>`
      SELECT b.seq, r.id, r.source_file, r.line, r.kind, r.field, r.value, r.reason, r.record_id
      FROM rejected_record r JOIN import_batch b ON b.id = r.batch_id
      WHERE b.import_id = ${String(importId)}::bigint AND ${after}
      ORDER BY b.seq, r.id
      LIMIT ${options.limit}`.pipe(Effect.mapError(storeError("reading the rejected records")))
    const last = rows.at(-1)
    return {
      rejections: rows.map(rejectionOfRow),
      next: last === undefined || rows.length < options.limit ? null : { seq: num(last.seq), id: num(last.id) }
    } satisfies RejectPage
  })

  // The begin statement is provided for this transaction only: a transaction `effect` starts on another client (a
  // write, say) must not become read-only too.
  const snapshot = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | RejectStoreError, R> =>
    sql.withTransaction(Effect.provideService(effect, SqlClient.BeginTransaction, undefined)).pipe(
      Effect.provideService(SqlClient.BeginTransaction, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
      Effect.catchIf(SqlError.isSqlError, (e) => Effect.fail(storeError("reading the rejected records")(e))),
      Effect.withSpan("RejectStore.snapshot")
    )

  return RejectStore.of({ importRejects, page, snapshot })
})

export const layerPgRejectStore: Layer.Layer<RejectStore, never, SqlClient.SqlClient> = Layer.effect(
  RejectStore,
  makePgRejectStore
)
