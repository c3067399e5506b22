import type {
  KindUpsertCounts,
  ProcurementSourceError,
  RecordKind,
  RecordRejection,
  SourceItem,
  UpsertCounts
} from "@adalqarau/core"
import { Clock, Context, Deferred, Duration, Effect, Fiber, Layer, Option, Schema, Stream } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { KIND_ORDER } from "../files/JsonlFolderSource.ts"
import { type PreparedBatch, preparedBatches } from "./batches.ts"
import { rebuildChainKeys } from "./chains.ts"
import { deferLookupIndexes, restoreDeferredIndexes } from "./deferredIndexes.ts"
import { folderBatches } from "./folderBatches.ts"
import { holdImportLock } from "./importLock.ts"
import { SPLIT_FROM_ROWS } from "./keyRange.ts"
import { withIngestLock } from "./PgContractStore.ts"
import { sqlErrorText } from "./sqlErrorText.ts"
import {
  awaitPredecessor,
  type BatchKeys,
  batchKeys,
  canWriteTwo,
  holdPosition,
  lockShared,
  type PredecessorRolledBack,
  RunOnRecord,
  sharesKeys
} from "./twoWriters.ts"
import { type PreparedWrite, runExists, writeFresh, writePrepared } from "./upsert.ts"
import { instantText, num, pgArray } from "./values.ts"

export class ImportError extends Schema.TaggedError<ImportError>()("ImportError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** What one batch did; `read = inserted + updated + unchanged + rejected`. */
export interface BatchCounts {
  readonly read: number
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
  readonly rejected: number
}

/**
 * Counts per kind: every record kind the source reads (`KIND_ORDER`), then any other kind a rejection names (an
 * unknown kind given by a source). `read = inserted + updated + unchanged + rejected` for each.
 */
export type CountsByKind = Readonly<Record<string, BatchCounts>>

export interface BatchReport extends BatchCounts {
  /** The kinds this batch read, each with its counts; they add up to the batch's. */
  readonly byKind: CountsByKind
  /** The import this batch belongs to: its committed batches stay when a later one fails. */
  readonly importId: number
  /** The import_batch row id. */
  readonly batchId: number
  /** 1-based position of the batch within this import. */
  readonly seq: number
}

export interface ImportReport {
  readonly importId: number
  readonly source: string
  readonly batches: ReadonlyArray<BatchReport>
  readonly total: BatchCounts
  /** Every record kind (0 when none was read), then any other kind a rejection named: the batches' counts summed. */
  readonly byKind: CountsByKind
}

export interface ImportOptions {
  /** Recorded with each batch (a folder, a URL, "memory"). */
  readonly source?: string
  /** Items per batch (one transaction each); default 5000. */
  readonly batchSize?: number
  /**
   * Connections a bulk load into an empty PostgreSQL database writes on at once (default 2; `twoWriters.ts`):
   * each batch is still one transaction, committed in order. Other imports, and PGlite, write on one.
   */
  readonly writers?: 1 | 2
  /** Called as each batch has committed, in order (a progress line, a log). */
  readonly onBatch?: (batch: BatchReport) => Effect.Effect<void>
}

export interface FolderImportOptions extends Omit<ImportOptions, "source"> {
  /** Folders with fewer bytes than this are read on the calling thread (`folderBatches`; default 16 MiB). */
  readonly threadFrom?: number
}

const DEFAULT_BATCH_SIZE = 5_000
const DEFAULT_WRITERS = 2

/** A batch written: its report, and whether it left provisional chain keys. */
interface Written {
  readonly report: BatchReport
  readonly provisionalChainKeys: boolean
}

/** A bulk load's batch being written beside the one before it. */
interface InFlight {
  readonly seq: number
  readonly batch: PreparedBatch
  readonly keys: BatchKeys
  readonly fiber: Fiber.Fiber<Written, SqlError.SqlError | RunOnRecord | PredecessorRolledBack>
}

const ZERO: BatchCounts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 }

const plus = (a: BatchCounts, b: BatchCounts): BatchCounts => ({
  read: a.read + b.read,
  inserted: a.inserted + b.inserted,
  updated: a.updated + b.updated,
  unchanged: a.unchanged + b.unchanged,
  rejected: a.rejected + b.rejected
})

/**
 * A batch's counts per kind: the store's, kind by kind, and the rejections named by their kind. Only the kinds the
 * batch read, in `KIND_ORDER`, then the others in the order the rejections name them.
 */
const countsByKind = (written: UpsertCounts, rejections: ReadonlyArray<RecordRejection>): CountsByKind => {
  const rejected = new Map<string, number>()
  for (const rejection of rejections) rejected.set(rejection.kind, (rejected.get(rejection.kind) ?? 0) + 1)
  // Built as a Map and made an object by fromEntries: a rejection's kind is the source's text, and a kind such as
  // "__proto__" set on a plain object would have vanished into its prototype.
  const byKind = new Map<string, BatchCounts>()
  const put = (kind: string, upserted: KindUpsertCounts | undefined) => {
    const n = rejected.get(kind) ?? 0
    if (upserted === undefined && n === 0) return
    const { inserted = 0, updated = 0, unchanged = 0 } = upserted ?? {}
    byKind.set(kind, { read: inserted + updated + unchanged + n, inserted, updated, unchanged, rejected: n })
  }
  for (const kind of KIND_ORDER) put(kind, written.byKind[kind])
  for (const kind of rejected.keys()) if (!isRecordKind(kind)) put(kind, undefined)
  return Object.fromEntries(byKind)
}

/** The batches' counts summed per kind: every record kind, then the others as the batches name them. */
const sumByKind = (batches: ReadonlyArray<BatchReport>): CountsByKind => {
  const byKind = new Map<string, BatchCounts>(KIND_ORDER.map((kind) => [kind, ZERO]))
  for (const batch of batches) {
    for (const [kind, counts] of Object.entries(batch.byKind)) byKind.set(kind, plus(byKind.get(kind) ?? ZERO, counts))
  }
  return Object.fromEntries(byKind)
}

const isRecordKind = (kind: string): kind is RecordKind => KIND_ORDER.some((k) => k === kind)

const insertRejections = (batchId: number, rejections: ReadonlyArray<RecordRejection>) =>
  Effect.gen(function* () {
    if (rejections.length === 0) return
    const sql = yield* SqlClient.SqlClient
    const col = <A>(f: (r: RecordRejection) => A) => rejections.map(f)
    yield* sql`
      INSERT INTO rejected_record (batch_id, source_file, line, kind, field, value, reason, record_id)
      SELECT ${String(batchId)}::bigint, s.* FROM unnest(
        ${pgArray(col((r) => r.source ?? null))}::text[], ${pgArray(col((r) => r.line ?? null))}::int[],
        ${pgArray(col((r) => r.kind))}::text[], ${pgArray(col((r) => r.field))}::text[],
        ${pgArray(col((r) => r.value))}::text[], ${pgArray(col((r) => r.reason))}::text[],
        ${pgArray(col((r) => r.recordId ?? null))}::text[]) AS s`
  })

/** The tables an import fills with records (the bookkeeping tables are small). */
const LOADED_TABLES = ["contract", "contract_chain", "contract_unit", "lot", "treasury_payment", "subject", "ref_book"]

/**
 * Bulk import into PostgreSQL / PGlite. Every batch of items is one transaction: its accepted records are upserted
 * set-based, its rejected ones stored in rejected_record with their reason, and its counts in import_batch — so
 * a failure between batches leaves every earlier batch committed and nothing of the later ones. An import into an
 * empty database is a bulk load: it defers the contract lookup indexes and builds them at the end
 * (`deferredIndexes.ts`), then vacuums and analyses the tables it filled; on PostgreSQL it writes two batches at
 * once, committed in order (`twoWriters.ts`). Imports run one at a time, across processes too (`importLock.ts`).
 */
export class SqlImporter extends Context.Service<
  SqlImporter,
  {
    readonly importSource: <E, R>(
      items: Stream.Stream<SourceItem, E, R>,
      options?: ImportOptions
    ) => Effect.Effect<ImportReport, ImportError | E, R>
    /**
     * Imports a folder of OWS-shaped JSONL files (the CLI's format): `importSource` of `jsonlFolderItems`, with
     * the lines read, decoded and prepared on a reader thread while the batches are written.
     */
    readonly importFolder: (
      dir: string,
      options?: FolderImportOptions
    ) => Effect.Effect<ImportReport, ImportError | ProcurementSourceError>
  }
>()("@adalqarau/adapters/SqlImporter") {}

export const makeSqlImporter = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  /** The batch's import_batch row and its rejections, the last statements of its transaction. */
  const recordBatch = (
    importId: number,
    seq: number,
    source: string,
    prepared: PreparedBatch,
    write: PreparedWrite,
    startedAt: number
  ) =>
    Effect.gen(function* () {
      const finishedAt = yield* Clock.currentTimeMillis
      const { byKind: _, ...counts } = write.counts
      const batch: BatchCounts = { read: prepared.read, ...counts, rejected: prepared.rejections.length }
      const rows = yield* sql<{ id: unknown }>`
        INSERT INTO import_batch (import_id, seq, source, started_at, finished_at, read, inserted, updated, unchanged, rejected)
        VALUES (${String(importId)}::bigint, ${seq}, ${source}, ${instantText(startedAt)}::timestamptz,
                ${instantText(finishedAt)}::timestamptz, ${batch.read}, ${batch.inserted}, ${batch.updated},
                ${batch.unchanged}, ${batch.rejected})
        RETURNING id`
      const batchId = num(rows[0]?.id)
      yield* insertRejections(batchId, prepared.rejections)
      return {
        report: { importId, batchId, seq, ...batch, byKind: countsByKind(write.counts, prepared.rejections) },
        provisionalChainKeys: write.provisionalChainKeys
      } satisfies Written
    })

  /** A batch written alone: one transaction holding the ingest lock. */
  const importBatch = (importId: number, seq: number, source: string, prepared: PreparedBatch, fresh: boolean) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const write = yield* writePrepared(prepared.records, { fresh })
      return yield* recordBatch(importId, seq, source, prepared, write, startedAt)
    }).pipe(withIngestLock(sql), sql.withTransaction, Effect.provideService(SqlClient.SqlClient, sql))

  /**
   * A bulk load's batch written beside the one before it (`twoWriters.ts`): `locked` is completed once the batch
   * holds its locks (true) or when it ends before (false: failed, or a run on record). It waits for batch
   * `after`'s commit, if given, before its second phase.
   */
  const importBeside = (
    importId: number,
    seq: number,
    source: string,
    prepared: PreparedBatch,
    after: number | undefined,
    locked: Deferred.Deferred<boolean>
  ) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      yield* lockShared
      yield* holdPosition(importId, seq)
      if (yield* runExists(sql)) return yield* new RunOnRecord()
      yield* Deferred.succeed(locked, true)
      const write = yield* writeFresh(
        prepared.records,
        after === undefined ? Effect.void : awaitPredecessor(importId, after)
      )
      return yield* recordBatch(importId, seq, source, prepared, write, startedAt)
    }).pipe(
      sql.withTransaction,
      Effect.ensuring(Deferred.succeed(locked, false)),
      Effect.provideService(SqlClient.SqlClient, sql)
    )

  const importSource = <E, R>(items: Stream.Stream<SourceItem, E, R>, options: ImportOptions = {}) =>
    Effect.flatMap(batchSizeOf(options), (batchSize) =>
      importBatches(preparedBatches(items, batchSize), options.source ?? "stream", options)
    )

  const importFolder = (dir: string, options: FolderImportOptions = {}) =>
    Effect.flatMap(batchSizeOf(options), (batchSize) =>
      importBatches(
        folderBatches(dir, {
          batchSize,
          ...(options.threadFrom === undefined ? {} : { threadFrom: options.threadFrom })
        }),
        dir,
        options
      )
    )

  // 0 or a negative wrote one record per transaction, NaN the whole input as one, 1.5 batches of two.
  const batchSizeOf = (options: ImportOptions): Effect.Effect<number, ImportError> => {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE
    return Number.isSafeInteger(size) && size >= 1
      ? Effect.succeed(size)
      : Effect.fail(
          new ImportError({ message: `batchSize must be a whole number of records, at least 1; got ${size}` })
        )
  }

  const importBatches = <E, R>(
    prepared: Stream.Stream<PreparedBatch, E, R>,
    source: string,
    { onBatch, writers = DEFAULT_WRITERS }: Pick<ImportOptions, "onBatch" | "writers">
  ) =>
    Effect.gen(function* () {
      // Before anything is looked at: a second import waits here, then finds the first one's rows (`importLock.ts`).
      yield* holdImportLock(source).pipe(
        Effect.provideService(SqlClient.SqlClient, sql),
        Effect.mapError(
          (cause) => new ImportError({ message: `cannot start an import: ${sqlErrorText(cause)}`, cause })
        )
      )
      const ids = yield* sql<{ id: unknown }>`SELECT nextval('import_seq') AS id`.pipe(
        Effect.mapError(
          (cause) => new ImportError({ message: `cannot start an import: ${sqlErrorText(cause)}`, cause })
        )
      )
      const importId = num(ids[0]?.id)
      const bulk = yield* isEmpty.pipe(
        Effect.mapError(
          (cause) => new ImportError({ message: `cannot start an import: ${sqlErrorText(cause)}`, cause })
        )
      )
      // Only a bulk load writes two batches at once: its batches insert plainly (`writeFresh`), without the
      // refresh queue, whose entries two batches could share even when their records do not.
      let beside = bulk && writers === 2 && (yield* canWriteTwo.pipe(Effect.provideService(SqlClient.SqlClient, sql)))
      const batches: Array<BatchReport> = []
      let provisional = false
      let seq = 0
      let overlapped = 0
      let inFlight: InFlight | undefined
      const failed = (n: number) => (cause: { readonly message: string }) =>
        new ImportError({ message: `batch ${n} of ${source} failed: ${sqlErrorText(cause)}`, cause })
      const record = (written: Written) =>
        Effect.andThen(
          Effect.sync(() => {
            batches.push(written.report)
            provisional ||= written.provisionalChainKeys
          }),
          onBatch === undefined ? Effect.void : onBatch(written.report)
        )
      const alone = (n: number, batch: PreparedBatch) =>
        importBatch(importId, n, source, batch, bulk).pipe(Effect.tap(record), Effect.mapError(failed(n)))
      // Waits for a batch in flight to end. One that found a run on record wrote nothing: it is written alone,
      // as is every batch after it. So is one whose predecessor had rolled back and was then written alone (a
      // run came between them): landing it means that the predecessor has landed.
      const land = (flight: InFlight) =>
        Fiber.join(flight.fiber).pipe(
          Effect.tap(record),
          Effect.catchTags({
            RunOnRecord: () => writeAlone(flight),
            PredecessorRolledBack: () => writeAlone(flight)
          }),
          Effect.mapError((cause) => (cause instanceof ImportError ? cause : failed(flight.seq)(cause)))
        )
      const writeAlone = (flight: InFlight) => {
        beside = false
        return alone(flight.seq, flight.batch)
      }
      const landPending = Effect.suspend(() => {
        const flight = inFlight
        inFlight = undefined
        return flight === undefined ? Effect.void : Effect.asVoid(land(flight))
      })
      // A bulk load into an empty database writes without the readers' lookup indexes from its second batch on
      // (an import of one batch never pays for rebuilding them) and builds them once when it ends, however it ends;
      // its new rows go in without the upsert's lookups (upsert.ts `writeFresh`).
      const step = (batch: PreparedBatch) =>
        Effect.gen(function* () {
          const n = ++seq
          if (bulk && n === 2) {
            yield* deferLookupIndexes.pipe(Effect.provideService(SqlClient.SqlClient, sql), Effect.mapError(failed(n)))
          }
          if (!beside || n === 1) {
            yield* landPending
            return yield* alone(n, batch)
          }
          const keys = batchKeys(batch.records)
          // Two batches with a key in common are not written at once: the later one would wait on the other's row.
          if (inFlight !== undefined && sharesKeys(inFlight.keys, keys)) yield* landPending
          const before = inFlight
          if (before !== undefined) overlapped++
          const locked = yield* Deferred.make<boolean>()
          const fiber = yield* Effect.forkScoped(importBeside(importId, n, source, batch, before?.seq, locked))
          inFlight = { seq: n, batch, keys, fiber }
          // The next batch starts only once this one holds its position (else it could take that lock first).
          const holding = yield* Deferred.await(locked)
          if (before !== undefined) {
            // If the earlier batch failed, this one must not commit: it is stopped and rolled back.
            yield* land(before).pipe(
              Effect.onError(() =>
                Effect.suspend(() => {
                  inFlight = undefined
                  return Fiber.interrupt(fiber)
                })
              )
            )
          }
          // One that ended before it held its locks (a run on record, a failure) is landed at once.
          if (!holding) yield* landPending
        })
      // The next batch is read and prepared while this one is written (on a reader thread: `folderBatches`). A
      // source that fails leaves the batches read before it to be written, as when they are written alone; the
      // earliest failure is the one reported.
      const load = Effect.scoped(
        Stream.runForEach(Stream.buffer(prepared, { capacity: 1 }), step).pipe(
          Effect.catch((error) => Effect.andThen(landPending, Effect.fail(error))),
          Effect.andThen(landPending),
          Effect.andThen(
            Effect.suspend(() =>
              overlapped === 0
                ? Effect.void
                : Effect.logInfo(
                    `bulk load of ${source}: ${overlapped} of ${seq} batches written beside the one before`
                  )
            )
          )
        )
      )
      yield* bulk ? withBulkLoadFinished(load, source, () => provisional) : load
      return {
        importId,
        source,
        batches,
        total: batches.reduce(plus, ZERO),
        byKind: sumByKind(batches)
      } satisfies ImportReport
    }).pipe(Effect.scoped)

  const isEmpty = Effect.map(
    sql<{ readonly empty: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM contract) AS empty`,
    (rows) => rows[0]?.empty === true
  )

  /**
   * Runs a bulk load, then rebuilds what it deferred: the lookup indexes and, when batches wrote provisional chain
   * keys, the chain keys (`rebuildChainKeys`, which writes only those that differ). After a failure or an
   * interruption both run too and the load's error stays the one reported (a failure of theirs is then logged: the
   * next start rebuilds the indexes, the next full indicator run repairs the chain keys — no run exists while keys
   * are provisional, so the next run is a full one). After a success, a failure of either fails the import: its
   * batches are committed, the tables are not complete yet.
   */
  const withBulkLoadFinished = <E, R>(load: Effect.Effect<void, E, R>, source: string, provisional: () => boolean) => {
    const restore = restoreDeferredIndexes.pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      Effect.mapError(
        (cause) =>
          new ImportError({
            message: `the records were imported, but rebuilding the contract lookup indexes failed (the next start retries): ${sqlErrorText(cause)}`,
            cause
          })
      )
    )
    const chainKeys = Effect.suspend(() =>
      provisional()
        ? rebuildChainKeys({ splitFromRows: SPLIT_FROM_ROWS }).pipe(
            withIngestLock(sql),
            sql.withTransaction,
            Effect.provideService(SqlClient.SqlClient, sql),
            Effect.mapError(
              (cause) =>
                new ImportError({
                  message: `the records were imported, but rebuilding their chain keys failed (the next full indicator run repairs them): ${sqlErrorText(cause)}`,
                  cause
                })
            )
          )
        : Effect.void
    )
    const logged = (step: Effect.Effect<unknown, ImportError>) =>
      step.pipe(Effect.catch((error) => Effect.logError("finishing a failed bulk load", error.message)))
    // What the end of a large load costs is logged step by step (at 15M it is more than a minute).
    const timed = (label: string, step: Effect.Effect<unknown, ImportError>) =>
      Effect.timed(step).pipe(
        Effect.flatMap(([took]) =>
          Effect.logInfo(`bulk load of ${source}: ${label} in ${(Duration.toMillis(took) / 1000).toFixed(1)} s`)
        )
      )
    return load.pipe(
      Effect.onError(() => Effect.andThen(logged(restore), logged(chainKeys))),
      Effect.andThen(timed("deferred indexes built", restore)),
      // Statistics first: the chain-key check splits its work by their histogram (keyRange.ts).
      Effect.andThen(timed("VACUUM (ANALYZE)", settle)),
      Effect.andThen(timed("chain keys checked", chainKeys))
    )
  }

  /**
   * The end of a bulk load, as PostgreSQL's guide to populating a database advises: VACUUM (ANALYZE) of the tables
   * it filled. Every page it wrote is read once here, its rows marked visible to all (hint bits, the visibility
   * map that index-only scans need) and its statistics taken. Left to autovacuum, that work ran during the first
   * indicator run after the load: the run's ANALYZE waited for autovacuum's locks, and its statements wrote hint
   * bits on every page they read (1M contracts: 19.1 s against 10.7 s for the next run). Inside a caller's
   * transaction, where VACUUM cannot run, ANALYZE alone.
   *
   * A VACUUM works through its tables one at a time on one core, so the contract partitions (about half the pages
   * loaded) and the other tables are vacuumed at once, on two connections where the pool has them.
   */
  const settle = Effect.gen(function* () {
    const inTransaction = Option.isSome(yield* Effect.serviceOption(sql.transactionService))
    if (inTransaction) yield* sql.unsafe(`ANALYZE ${LOADED_TABLES.join(", ")}`)
    else {
      const groups = [["contract"], LOADED_TABLES.filter((table) => table !== "contract")]
      yield* Effect.all(
        groups.map((tables) => sql.unsafe(`VACUUM (ANALYZE) ${tables.join(", ")}`)),
        { concurrency: 2, discard: true }
      )
    }
  }).pipe(
    Effect.mapError(
      (cause) =>
        new ImportError({
          message: `the records were imported, but VACUUM (ANALYZE) after the bulk load failed (autovacuum will do it): ${sqlErrorText(cause)}`,
          cause
        })
    )
  )

  return SqlImporter.of({ importSource, importFolder })
})

export const layerSqlImporter: Layer.Layer<SqlImporter, never, SqlClient.SqlClient> = Layer.effect(
  SqlImporter,
  makeSqlImporter
)
