/**
 * Past imports on PostgreSQL 15 and PGlite: listed newest first with their batches' counts summed, page by page,
 * and their stored rejections pruned (counts kept, marked when) in one transaction; rejections read page by page in
 * one snapshot that a pruning does not cut short.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerStorage } from "../src/postgres/Database.ts"
import { ImportHistory } from "../src/postgres/PgImportHistory.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { RejectStore } from "../src/postgres/PgRejectStore.ts"
import { backends } from "./support/databases.ts"
import { contract } from "./support/edgeCases.ts"
import { type RawRecord, sourceItems } from "./support/engines.ts"

const bad = (id: number): RawRecord => ({ kind: "contract", raw: { id, crdate: "not a date" } })
const good = [contract({ id: 1001 }), contract({ id: 1002 })]

/** Three imports: "a" rejects 3 records over 3 batches, "b" rejects none, "c" rejects 1. */
const threeImports = Effect.gen(function* () {
  const importer = yield* SqlImporter
  const run = (records: ReadonlyArray<RawRecord>, source: string, batchSize: number) =>
    Effect.flatMap(sourceItems(records, source), (items) =>
      importer.importSource(Stream.fromIterable(items), { source, batchSize })
    )
  const a = yield* run([bad(9001), ...good, bad(9002), bad(9003)], "a", 2)
  const b = yield* run(good, "b", 10)
  const c = yield* run([bad(9004)], "c", 10)
  return { a, b, c }
})

const storedRejections = (importId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: unknown }>`
      SELECT count(*) AS n FROM rejected_record r JOIN import_batch b ON b.id = r.batch_id
      WHERE b.import_id = ${String(importId)}::bigint`
    return Number(rows[0]?.n)
  })

for (const backend of backends()) {
  describe(`import history (${backend.name})`, () => {
    it.live("lists imports newest first with their batches' counts summed, page by page", () =>
      Effect.gen(function* () {
        const { a, b, c } = yield* threeImports
        const history = yield* ImportHistory
        const all = yield* history.list({ limit: 20 })
        assert.deepStrictEqual(
          all.imports.map((i) => [i.importId, i.source, i.batches, i.read, i.inserted, i.unchanged, i.rejected]),
          [
            [c.importId, "c", 1, 1, 0, 0, 1],
            [b.importId, "b", 1, 2, 0, 2, 0],
            [a.importId, "a", 3, 5, 2, 0, 3]
          ]
        )
        assert.strictEqual(all.next, null)
        for (const i of all.imports) {
          assert.isAtMost(i.startedAt, i.finishedAt)
          assert.isNull(i.rejectionsPrunedAt)
        }
        assert.isAtMost(all.imports[2]?.finishedAt ?? Number.NaN, all.imports[0]?.startedAt ?? Number.NaN)

        const first = yield* history.list({ limit: 2 })
        assert.deepStrictEqual(
          first.imports.map((i) => i.importId),
          [c.importId, b.importId]
        )
        assert.strictEqual(first.next, b.importId)
        const second = yield* history.list({ limit: 2, before: b.importId })
        assert.deepStrictEqual(
          second.imports.map((i) => i.importId),
          [a.importId]
        )
        assert.strictEqual(second.next, null)
        assert.deepStrictEqual((yield* history.list({ limit: 5, before: a.importId })).imports, [])
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("prunes the rejections of the imports older than one, keeping their counts, and says when", () =>
      Effect.gen(function* () {
        const { a, b, c } = yield* threeImports
        const history = yield* ImportHistory
        const rejects = yield* RejectStore
        const before = yield* history.list({ limit: 20 })

        const pruned = Option.getOrThrow(yield* history.pruneRejections(c.importId))
        assert.deepStrictEqual({ ...pruned, prunedAt: 0 }, { before: c.importId, imports: 1, records: 3, prunedAt: 0 })
        assert.strictEqual(yield* storedRejections(a.importId), 0)
        assert.strictEqual(yield* storedRejections(c.importId), 1, "import c's own rejections stay")

        const after = yield* history.list({ limit: 20 })
        assert.deepStrictEqual(
          after.imports.map((i) => i.rejectionsPrunedAt),
          [null, null, pruned.prunedAt],
          "b rejected nothing: nothing of it was pruned"
        )
        assert.deepStrictEqual(
          after.imports.map(({ rejectionsPrunedAt: _, ...counts }) => counts),
          before.imports.map(({ rejectionsPrunedAt: _, ...counts }) => counts)
        )
        const ofA = Option.getOrThrow(yield* rejects.importRejects(a.importId))
        assert.deepStrictEqual(ofA, { importId: a.importId, source: "a", rejected: 3, prunedAt: pruned.prunedAt })
        assert.deepStrictEqual((yield* rejects.page(a.importId, { limit: 10 })).rejections, [])
        assert.isNull(Option.getOrThrow(yield* rejects.importRejects()).prunedAt, "the latest import is kept")
        assert.isNull(Option.getOrThrow(yield* rejects.importRejects(b.importId)).prunedAt)

        // Again: nothing left to delete, and the first pruning's time stays.
        const again = Option.getOrThrow(yield* history.pruneRejections(c.importId))
        assert.deepStrictEqual([again.imports, again.records], [0, 0])
        assert.strictEqual(Option.getOrThrow(yield* rejects.importRejects(a.importId)).prunedAt, pruned.prunedAt)

        // A number that names no import prunes nothing, even one above every import.
        assert.isTrue(Option.isNone(yield* history.pruneRejections(c.importId + 100)))
        assert.isTrue(Option.isNone(yield* history.pruneRejections(0)))
        assert.strictEqual(yield* storedRejections(c.importId), 1)

        // Only a batch that rejected something can be marked pruned.
        const sql = yield* SqlClient.SqlClient
        const marked = yield* Effect.exit(
          sql`UPDATE import_batch SET rejections_pruned_at = now() WHERE import_id = ${String(b.importId)}::bigint`
        )
        assert.isTrue(Exit.isFailure(marked))
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("rejections read in one snapshot stay whole when a pruning commits between two pages", () =>
      Effect.gen(function* () {
        const { a, c } = yield* threeImports
        const rejects = yield* RejectStore
        const history = yield* ImportHistory
        const sql = yield* SqlClient.SqlClient
        // Forked outside the snapshot, so on a connection of its own, as another adalqarau would.
        const firstPageRead = yield* Deferred.make<void>()
        const pruning = yield* Deferred.await(firstPageRead).pipe(
          Effect.andThen(history.pruneRejections(c.importId)),
          Effect.forkChild
        )
        const read = yield* rejects.snapshot(
          Effect.gen(function* () {
            const settings = yield* sql<{ isolation: string; readOnly: string }>`
              SELECT current_setting('transaction_isolation') AS isolation,
                current_setting('transaction_read_only') AS "readOnly"`
            const header = yield* rejects.importRejects(a.importId)
            const first = yield* rejects.page(a.importId, { limit: 1 })
            yield* Deferred.succeed(firstPageRead, undefined)
            // PostgreSQL commits the pruning now; on PGlite it waits for this transaction's one session.
            if (backend.name === "postgres") yield* Fiber.join(pruning)
            const rest = yield* rejects.page(a.importId, {
              limit: 10,
              ...(first.next === null ? {} : { after: first.next })
            })
            return { settings: settings[0], header, first, rest }
          })
        )
        const pruned = Option.getOrThrow(yield* Fiber.join(pruning))
        assert.deepStrictEqual([pruned.imports, pruned.records], [1, 3])

        assert.isNull(Option.getOrThrow(read.header).prunedAt)
        assert.deepStrictEqual(
          [...read.first.rejections, ...read.rest.rejections].map((r) => r.recordId),
          ["9001", "9002", "9003"]
        )
        assert.isNull(read.rest.next)
        assert.deepStrictEqual(read.settings, { isolation: "repeatable read", readOnly: "on" })
        // Outside it, the pruning is there.
        assert.strictEqual(Option.getOrThrow(yield* rejects.importRejects(a.importId)).prunedAt, pruned.prunedAt)
        assert.deepStrictEqual((yield* rejects.page(a.importId, { limit: 10 })).rejections, [])
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a pruning that fails part-way deletes and marks nothing", () =>
      Effect.gen(function* () {
        const { a, c } = yield* threeImports
        const sql = yield* SqlClient.SqlClient
        // Refuses to delete import a's last rejection, in its last batch: the others may be gone by then.
        yield* sql`
          CREATE FUNCTION aq_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF OLD.record_id = '9003' THEN
              RAISE EXCEPTION 'refused';
            END IF;
            RETURN OLD;
          END $$`
        yield* sql`CREATE TRIGGER aq_test_refuse BEFORE DELETE ON rejected_record FOR EACH ROW EXECUTE FUNCTION aq_test_refuse()`
        const history = yield* ImportHistory
        const failed = yield* Effect.flip(history.pruneRejections(c.importId))
        assert.strictEqual(failed._tag, "ImportHistoryError")
        assert.match(failed.message, /^pruning the rejected records failed: .*refused/u)
        assert.strictEqual(yield* storedRejections(a.importId), 3)
        assert.isNull(Option.getOrThrow(yield* (yield* RejectStore).importRejects(a.importId)).prunedAt)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  })
}
