import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { sqlErrorText } from "./sqlErrorText.ts"
import { epochMs, num, numOrNull, str } from "./values.ts"

export class ImportHistoryError extends Schema.TaggedError<ImportHistoryError>()("ImportHistoryError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** One past import as its `import_batch` rows tell it: their counts summed. */
export interface ImportSummary {
  readonly importId: number
  readonly source: string
  /** When its first batch started and its last one ended (epoch ms). */
  readonly startedAt: number
  readonly finishedAt: number
  readonly batches: number
  readonly read: number
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
  readonly rejected: number
  /** When its rejected records were deleted (`pruneRejections`, epoch ms); null while they are kept. */
  readonly rejectionsPrunedAt: number | null
}

export interface ImportHistoryPage {
  readonly imports: ReadonlyArray<ImportSummary>
  /** The `before` of the next (older) page; null on the last one. */
  readonly next: number | null
}

/** What `pruneRejections` deleted, at `prunedAt` (epoch ms, the transaction's time). */
export interface PruneReport {
  readonly before: number
  readonly imports: number
  readonly records: number
  readonly prunedAt: number
}

/**
 * Past imports (`import_batch`, migrations 0002 and 0023), newest first, and the retention of their rejected
 * records: `rejected_record` otherwise only grows, as every import of the same bad file stores its rejections again.
 */
export class ImportHistory extends Context.Service<
  ImportHistory,
  {
    /** A page of imports, newest first: those with an id below `before` when given. */
    readonly list: (options: {
      readonly limit: number
      readonly before?: number
    }) => Effect.Effect<ImportHistoryPage, ImportHistoryError>
    /**
     * Deletes the rejected records of every import older than import `before`, keeping the imports' counts and
     * marking their batches as pruned, in one transaction. None when there is no import `before`, so the newest
     * import's rejections are never pruned: they are what `adalqarau rejects` shows by default.
     */
    readonly pruneRejections: (before: number) => Effect.Effect<Option.Option<PruneReport>, ImportHistoryError>
  }
>()("@adalqarau/adapters/ImportHistory") {}

// The server's own words (a lock timeout, a permission, a trigger's RAISE), not the driver's generic message.
const historyError = (operation: string) => (cause: unknown) =>
  new ImportHistoryError({ message: `${operation} failed: ${sqlErrorText(cause)}`, cause })

const summaryOfRow = (row: Record<string, unknown>): ImportSummary => ({
  importId: num(row.import_id),
  source: str(row.source),
  startedAt: num(row.started_at),
  finishedAt: num(row.finished_at),
  batches: num(row.batches),
  read: num(row.read),
  inserted: num(row.inserted),
  updated: num(row.updated),
  unchanged: num(row.unchanged),
  rejected: num(row.rejected),
  rejectionsPrunedAt: numOrNull(row.pruned_at)
})

export const makePgImportHistory = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Keyset paging on the import id, newest first: the (import_id, seq) unique index hands the groups over in order,
  // so a page reads its imports' batches only. One row more than asked says whether an older page exists.
  const list = Effect.fn("ImportHistory.list")(function* (options: {
    readonly limit: number
    readonly before?: number
  }) {
    const before = options.before === undefined ? sql`TRUE` : sql`import_id < ${String(options.before)}::bigint`
    const rows = yield* sql<Record<string, unknown>>`
      SELECT import_id, min(source) AS source, ${sql.literal(epochMs("min(started_at)"))} AS started_at,
        ${sql.literal(epochMs("max(finished_at)"))} AS finished_at, count(*) AS batches, sum(read)::bigint AS read,
        sum(inserted)::bigint AS inserted, sum(updated)::bigint AS updated, sum(unchanged)::bigint AS unchanged,
        sum(rejected)::bigint AS rejected, ${sql.literal(epochMs("max(rejections_pruned_at)"))} AS pruned_at
      FROM import_batch WHERE ${before}
      GROUP BY import_id ORDER BY import_id DESC
      LIMIT ${options.limit + 1}`.pipe(Effect.mapError(historyError("reading the imports")))
    const imports = rows.slice(0, options.limit).map(summaryOfRow)
    return {
      imports,
      next: rows.length > options.limit ? (imports.at(-1)?.importId ?? null) : null
    } satisfies ImportHistoryPage
  })

  // Every import older than one that has a batch has ended (imports run one at a time and take their id under the
  // import lock, `importLock.ts`), so none of them can store a rejection after its batches were marked pruned.
  const pruneRejections = Effect.fn("ImportHistory.pruneRejections")(
    function* (before: number) {
      const id = String(before)
      const found = yield* sql<{ readonly found: boolean }>`
        SELECT EXISTS (SELECT 1 FROM import_batch WHERE import_id = ${id}::bigint) AS found`
      if (found[0]?.found !== true) return Option.none<PruneReport>()
      const rows = yield* sql<Record<string, unknown>>`
        WITH marked AS (
          UPDATE import_batch SET rejections_pruned_at = now()
          WHERE import_id < ${id}::bigint AND rejected > 0 AND rejections_pruned_at IS NULL
          RETURNING id, import_id
        ), deleted AS (
          DELETE FROM rejected_record r USING marked m WHERE r.batch_id = m.id RETURNING 1
        )
        SELECT (SELECT count(DISTINCT import_id) FROM marked) AS imports, (SELECT count(*) FROM deleted) AS records,
          ${sql.literal(epochMs("now()"))} AS pruned_at`
      const row = rows[0] ?? {}
      return Option.some({
        before,
        imports: num(row.imports),
        records: num(row.records),
        prunedAt: num(row.pruned_at)
      } satisfies PruneReport)
    },
    (effect) => effect.pipe(sql.withTransaction, Effect.mapError(historyError("pruning the rejected records")))
  )

  return ImportHistory.of({ list, pruneRejections })
})

export const layerPgImportHistory: Layer.Layer<ImportHistory, never, SqlClient.SqlClient> = Layer.effect(
  ImportHistory,
  makePgImportHistory
)
