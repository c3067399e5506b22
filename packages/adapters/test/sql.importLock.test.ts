/**
 * The import-wide lock (importLock.ts): two imports started together into an empty database run one after the
 * other — on PostgreSQL as two clients with their own pools, on PGlite through one client — and leave the tables a
 * serial import leaves; and a start of the storage while a bulk load runs leaves the indexes that load deferred to
 * it, instead of building them under it.
 */
import type { SourceItem } from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { type Context, Effect, Layer, Redacted, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerMigrations, layerStorage, type StorageServices } from "../src/postgres/Database.ts"
import { LOOKUP_INDEXES } from "../src/postgres/deferredIndexes.ts"
import { type ImportReport, SqlImporter } from "../src/postgres/PgImporter.ts"
import { type Backend, backends, pgAdminUrl, pgTestDatabaseUrl } from "./support/databases.ts"
import { generatedRecords, sourceItems } from "./support/engines.ts"
import { recordTableContents as contents } from "./support/recordTables.ts"

type Storage = Context.Context<StorageServices | SqlClient.SqlClient>

const SIZE = 100

/** A client of its own (its own pool) on the database at `url`. */
const pgClient = (url: string) => PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })

/** Two storages over one new database: on PostgreSQL two clients, on PGlite (one process) the same one twice. */
const twoStorages = (backend: Backend) =>
  Effect.gen(function* () {
    const adminUrl = pgAdminUrl()
    if (backend.name === "pglite" || adminUrl === undefined) {
      const one: Storage = yield* Layer.build(layerStorage(backend.layer()))
      return [one, one] as const
    }
    const url = yield* pgTestDatabaseUrl(adminUrl)
    const first: Storage = yield* Layer.build(layerStorage(pgClient(url)))
    const second: Storage = yield* Layer.build(layerStorage(pgClient(url)))
    return [first, second] as const
  })

const importItems = (items: ReadonlyArray<SourceItem>) =>
  Effect.gen(function* () {
    const importer = yield* SqlImporter
    return yield* importer.importSource(Stream.fromIterable(items), { batchSize: SIZE })
  })

/** Each import's first batch start and last batch end, earliest first. */
const importSpans = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: unknown; started: unknown; finished: unknown }>`
    SELECT import_id AS id, extract(epoch FROM min(started_at)) * 1000 AS started,
           extract(epoch FROM max(finished_at)) * 1000 AS finished
    FROM import_batch GROUP BY import_id ORDER BY 2`
  return rows.map((r) => ({ id: Number(r.id), started: Number(r.started), finished: Number(r.finished) }))
})

/** The record tables after importing the datasets one after the other into a new database. */
const serially = (backend: Backend, datasets: ReadonlyArray<ReadonlyArray<SourceItem>>) =>
  Effect.gen(function* () {
    for (const items of datasets) yield* importItems(items)
    return yield* contents
  }).pipe(Effect.provide(layerStorage(backend.layer())))

for (const backend of backends()) {
  describe(`the import lock (${backend.name})`, () => {
    it.live("two imports started together into an empty database run one after the other", () =>
      Effect.gen(function* () {
        // Two datasets with records in common (the same ids, other contents): the order they land in shows.
        const d1 = yield* sourceItems(generatedRecords(300, 61))
        const d2 = yield* sourceItems(generatedRecords(300, 62))
        const oneThenTwo = yield* serially(backend, [d1, d2])
        const twoThenOne = yield* serially(backend, [d2, d1])
        assert.notDeepEqual(oneThenTwo, twoThenOne, "the order matters")

        const [first, second] = yield* twoStorages(backend)
        const [r1, r2] = yield* Effect.all(
          [Effect.provide(importItems(d1), first), Effect.provide(importItems(d2), second)],
          { concurrency: 2 }
        )
        const spans = yield* Effect.provide(importSpans, first)
        assert.strictEqual(spans.length, 2)
        const [earlier, later] = spans
        assert.isAtMost(earlier?.finished ?? 0, later?.started ?? 0, "the second import began after the first ended")
        const ranFirst = (report: ImportReport) => report.importId === earlier?.id
        assert.isTrue(ranFirst(r1) !== ranFirst(r2))
        assert.deepStrictEqual(yield* Effect.provide(contents, first), ranFirst(r1) ? oneThenTwo : twoThenOne)
      }).pipe(Effect.scoped)
    )
  })
}

/** Valid lookup indexes on `contract`, and how many definitions `deferred_index` holds. */
const lookupIndexes = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const parents = yield* sql<{ readonly name: string }>`
    SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'contract'::regclass AND i.indisvalid ORDER BY 1`
  const deferred = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM deferred_index`
  return {
    lookups: parents.map((p) => p.name).filter((n) => (LOOKUP_INDEXES as ReadonlyArray<string>).includes(n)),
    deferred: deferred[0]?.n ?? 0
  }
})

const adminUrl = pgAdminUrl()

describe.runIf(adminUrl !== undefined)("a start of the storage during a bulk load (postgres)", () => {
  it.live("leaves the indexes the load deferred to it, which builds them when it ends", () =>
    Effect.gen(function* () {
      const url = yield* pgTestDatabaseUrl(adminUrl ?? "")
      const storage: Storage = yield* Layer.build(layerStorage(pgClient(url)))
      const committed = Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM import_batch`
        return rows[0]?.n ?? 0
      })
      // From inside the source, once two batches have committed (the second began by dropping the indexes):
      // another process starts (a CLI command, the server), with a client of its own.
      let during: { readonly lookups: ReadonlyArray<string>; readonly deferred: number } | undefined
      const anotherStart = Effect.gen(function* () {
        while ((yield* Effect.provide(committed, storage)) < 2) yield* Effect.sleep("10 millis")
        yield* Effect.scoped(Layer.build(layerMigrations()).pipe(Effect.provide(pgClient(url))))
        during = yield* Effect.provide(lookupIndexes, storage)
      })
      const items = yield* sourceItems(generatedRecords(500, 7))
      const watched = Stream.fromIterable(items).pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(([item, index]) => (index === 1_500 ? Effect.as(anotherStart, item) : Effect.succeed(item)))
      )
      const load = Effect.gen(function* () {
        const importer = yield* SqlImporter
        return yield* importer.importSource(watched, { batchSize: 400 })
      })
      yield* Effect.provide(load, storage)
      assert.deepStrictEqual(during, { lookups: [], deferred: LOOKUP_INDEXES.length }, "left deferred")
      assert.deepStrictEqual(yield* Effect.provide(lookupIndexes, storage), {
        lookups: [...LOOKUP_INDEXES].sort(),
        deferred: 0
      })
    }).pipe(Effect.scoped)
  )
})
