/**
 * A bulk import into an empty database drops the contract lookup indexes after its first batch and builds them
 * when it ends — after a failure too — and a start of the storage builds any that a dead import left deferred
 * (partitioned indexes included: every partition gets its index back, and the parent's is valid). A bulk import
 * ends with the tables it filled vacuumed and analysed, or analysed only when it runs inside a caller's
 * transaction.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerMigrations, layerStorage } from "../src/postgres/Database.ts"
import { deferLookupIndexes, LOOKUP_INDEXES } from "../src/postgres/deferredIndexes.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { backends } from "./support/databases.ts"
import { generatedRecords, sourceItems } from "./support/engines.ts"

/** Lookup indexes present on the parent (valid ones) and how many partitions have each. */
const lookupIndexes = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const parents = yield* sql<{ readonly name: string }>`
    SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'contract'::regclass AND i.indisvalid ORDER BY 1`
  const perPartition = yield* sql<{ readonly n: number }>`
    SELECT count(*)::int AS n FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid
    WHERE h.inhparent = 'contract'::regclass`
  const deferred = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM deferred_index`
  return {
    lookups: parents.map((p) => p.name).filter((n) => (LOOKUP_INDEXES as ReadonlyArray<string>).includes(n)),
    partitionIndexes: perPartition[0]?.n ?? 0,
    deferred: deferred[0]?.n ?? 0
  }
})

const ALL = [...LOOKUP_INDEXES].sort()

for (const backend of backends()) {
  describe(`deferred lookup indexes (${backend.name})`, () => {
    it.live("a bulk import builds them back when it ends, and when it fails", () =>
      Effect.gen(function* () {
        const before = yield* lookupIndexes
        assert.deepStrictEqual(before.lookups, ALL)
        const items = yield* sourceItems(generatedRecords(500, 7))
        assert.isAbove(items.length, 2_400)
        const importer = yield* SqlImporter
        // Looked at from inside the source once two batches have committed (the reader runs ahead of the writer,
        // so it waits for them): the second batch began by dropping the indexes.
        let during: typeof before | undefined
        const sql = yield* SqlClient.SqlClient
        const committed = Effect.map(
          sql<{ readonly n: number }>`
            SELECT count(*)::int AS n FROM import_batch WHERE import_id = (SELECT max(import_id) FROM import_batch)`,
          (rows) => rows[0]?.n ?? 0
        )
        const afterTwoBatches = Effect.gen(function* () {
          while ((yield* committed) < 2) yield* Effect.sleep("10 millis")
          during = yield* lookupIndexes
        })
        const watched = Stream.fromIterable(items).pipe(
          Stream.zipWithIndex,
          Stream.mapEffect(([item, index]) =>
            index === 1_500 ? Effect.as(afterTwoBatches, item) : Effect.succeed(item)
          )
        )
        yield* importer.importSource(watched, { batchSize: 400 })
        assert.deepStrictEqual(during?.lookups, [], "dropped during the load")
        assert.strictEqual(during?.deferred, LOOKUP_INDEXES.length)
        assert.deepStrictEqual(yield* lookupIndexes, before)

        // Into an empty database again, a source failing in its third batch: the indexes are back all the same.
        yield* sql`TRUNCATE contract, contract_chain, contract_unit, lot, treasury_payment, subject`
        const failing = Stream.concat(
          Stream.fromIterable(items.slice(0, 1_000)),
          Stream.fail(new Error("the file ended early"))
        )
        const failed = yield* Effect.flip(importer.importSource(failing, { batchSize: 400 }))
        assert.match(failed.message, /the file ended early/u)
        assert.deepStrictEqual(yield* lookupIndexes, before)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("an import that died with them dropped leaves their definitions; the next start builds them", () =>
      Effect.gen(function* () {
        const before = yield* lookupIndexes
        assert.strictEqual(yield* deferLookupIndexes, LOOKUP_INDEXES.length)
        const dropped = yield* lookupIndexes
        assert.deepStrictEqual(dropped.lookups, [])
        assert.strictEqual(dropped.deferred, LOOKUP_INDEXES.length)
        assert.isBelow(dropped.partitionIndexes, before.partitionIndexes)
        // The process died here. The next start (server, any CLI command) applies migrations and builds them.
        yield* Layer.build(layerMigrations())
        assert.deepStrictEqual(yield* lookupIndexes, before)
      }).pipe(Effect.scoped, Effect.provide(layerStorage(backend.layer())))
    )

    /** Per filled table: whether VACUUM and ANALYZE (not autovacuum's) have run on it. */
    const settled = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return yield* sql<{ readonly name: string; readonly vacuumed: boolean; readonly analysed: boolean }>`
        SELECT relname AS name, last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analysed
        FROM pg_stat_user_tables
        WHERE relname IN ('contract_fy2023', 'contract_chain', 'contract_unit', 'lot', 'treasury_payment')
        ORDER BY relname`
    })

    it.live("a bulk import ends with the tables it filled vacuumed and analysed", () =>
      Effect.gen(function* () {
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(yield* sourceItems(generatedRecords(500, 9))))
        const tables = yield* settled
        assert.deepStrictEqual(
          tables.map((t) => [t.name, t.vacuumed, t.analysed]),
          ["contract_chain", "contract_fy2023", "contract_unit", "lot", "treasury_payment"].map((n) => [n, true, true])
        )
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("inside a caller's transaction, where VACUUM cannot run, a bulk import analyses them", () =>
      Effect.gen(function* () {
        const importer = yield* SqlImporter
        const sql = yield* SqlClient.SqlClient
        const items = yield* sourceItems(generatedRecords(500, 9))
        const report = yield* sql.withTransaction(importer.importSource(Stream.fromIterable(items)))
        assert.strictEqual(report.total.read, items.length)
        assert.deepStrictEqual(
          (yield* settled).map((t) => [t.name, t.vacuumed, t.analysed]),
          ["contract_chain", "contract_fy2023", "contract_unit", "lot", "treasury_payment"].map((n) => [n, false, true])
        )
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  })
}
