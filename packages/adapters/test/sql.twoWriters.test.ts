/**
 * A bulk load on two connections (twoWriters.ts, PostgreSQL only: PGlite has one): batches written side by side
 * and committed in order, the same tables and counts as on one connection, a failing batch taking its successor
 * down with it, and a run that comes between batches sending the rest of the load through the upsert.
 */
import type { SourceItem } from "@adalqarau/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerStorage } from "../src/postgres/Database.ts"
import { type BatchReport, SqlImporter } from "../src/postgres/PgImporter.ts"
import { SqlIndicatorEngine } from "../src/postgres/PgIndicatorEngine.ts"
import { awaitPredecessor, holdPosition } from "../src/postgres/twoWriters.ts"
import { backends } from "./support/databases.ts"
import { recordTableContents as contents } from "./support/recordTables.ts"
import { generatedRecords, sourceItems } from "./support/engines.ts"

const batchRows = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: unknown; seq: unknown; started: unknown; finished: unknown }>`
    SELECT id, seq, extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
    FROM import_batch ORDER BY seq`
  return rows.map((r) => ({
    id: Number(r.id),
    seq: Number(r.seq),
    started: Number(r.started),
    finished: Number(r.finished)
  }))
})

const unitIdOf = (item: SourceItem | undefined): number | undefined =>
  item?._tag === "Accepted" && item.record.kind === "unit" ? item.record.value.id : undefined

const SIZE = 100

const pg = backends().find((b) => b.name === "postgres")

describe.runIf(pg !== undefined)("a bulk load on two connections", () => {
  const backend = pg ?? { name: "postgres", layer: () => Effect.die("no PostgreSQL") as never }

  it.live("writes batches side by side, commits them in order, and stores what one connection stores", () =>
    Effect.gen(function* () {
      const base = yield* sourceItems(generatedRecords(300, 31))
      // Records repeated in the very next batch (the two are then not written at once) and far later.
      const items = [...base.slice(0, 950), ...base.slice(930, 960), ...base.slice(960), ...base.slice(0, 120)]
      const load = (writers: 1 | 2) =>
        Effect.gen(function* () {
          const importer = yield* SqlImporter
          const announced: Array<BatchReport> = []
          const report = yield* importer.importSource(Stream.fromIterable(items), {
            batchSize: SIZE,
            writers,
            onBatch: (batch) => Effect.sync(() => void announced.push(batch))
          })
          assert.deepStrictEqual(announced, report.batches, "each batch announced once it committed, in order")
          return {
            counts: report.batches.map(({ batchId: _, ...counts }) => counts),
            tables: yield* contents,
            batches: yield* batchRows
          }
        }).pipe(Effect.provide(layerStorage(backend.layer())))
      const one = yield* load(1)
      const two = yield* load(2)
      assert.deepStrictEqual(two.counts, one.counts)
      assert.deepStrictEqual(two.tables, one.tables)
      assert.isAbove(
        two.counts.reduce((n, b) => n + b.updated + b.unchanged, 0),
        100
      )
      const overlapping = (rows: typeof one.batches) =>
        rows.slice(1).filter((b, i) => b.started < (rows[i]?.finished ?? 0)).length
      assert.strictEqual(overlapping(one.batches), 0, "one connection: each batch starts after the last ended")
      assert.isAbove(overlapping(two.batches), 0, "two connections: a batch starts before the one before it ends")
      const ids = two.batches.map((b) => b.id)
      assert.deepStrictEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        "recorded in order"
      )
    })
  )

  it.live("a batch waits in the database for the one before it to end, and goes on only if it committed", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      // Batch 5 of import 77 holds its position until `end` says how it ends; batch 6 waits for it.
      const pair = (commit: boolean) =>
        Effect.gen(function* () {
          const end = yield* Deferred.make<void>()
          const held = yield* Deferred.make<void>()
          const before = yield* Effect.gen(function* () {
            yield* holdPosition(77, 5)
            yield* Deferred.succeed(held, undefined)
            yield* Deferred.await(end)
            yield* sql`
              INSERT INTO import_batch (import_id, seq, source, started_at, finished_at, read, inserted, updated, unchanged, rejected)
              VALUES (77, 5, 'test', now(), now(), 0, 0, 0, 0, 0)`
            if (!commit) return yield* Effect.fail("rolled back by the test" as const)
          }).pipe(sql.withTransaction, Effect.exit, Effect.forkChild)
          yield* Deferred.await(held)
          const after = yield* awaitPredecessor(77, 5).pipe(sql.withTransaction, Effect.exit, Effect.forkChild)
          yield* Effect.sleep("300 millis")
          const waited = after.pollUnsafe() === undefined
          yield* Deferred.succeed(end, undefined)
          yield* Fiber.join(before)
          const exit = yield* Fiber.join(after)
          yield* sql`DELETE FROM import_batch WHERE import_id = 77`
          return { waited, exit }
        })
      const committed = yield* pair(true)
      assert.isTrue(committed.waited, "waits while the batch before it is open")
      assert.isTrue(Exit.isSuccess(committed.exit))
      const rolledBack = yield* pair(false)
      assert.isTrue(rolledBack.waited)
      assert.isTrue(Exit.isFailure(rolledBack.exit))
      if (Exit.isFailure(rolledBack.exit)) assert.include(String(rolledBack.exit.cause), "PredecessorRolledBack")
    }).pipe(Effect.provide(layerStorage(backend.layer())))
  )

  it.live("a batch that fails leaves the batches before it committed and nothing of it or the next", () =>
    Effect.gen(function* () {
      const items = yield* sourceItems(generatedRecords(300, 32))
      const failing = 6
      const inBatch = items.slice((failing - 1) * SIZE, failing * SIZE).map(unitIdOf)
      const refused = inBatch.find((id) => id !== undefined && items.filter((i) => unitIdOf(i) === id).length === 1)
      assert.isDefined(refused)
      const failed = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(`
          CREATE FUNCTION aq_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.id = ${refused} THEN RAISE EXCEPTION 'unit % refused by the test', NEW.id; END IF;
            RETURN NEW;
          END $$`)
        yield* sql.unsafe(
          "CREATE TRIGGER aq_test_refuse BEFORE INSERT ON contract_unit FOR EACH ROW EXECUTE FUNCTION aq_test_refuse()"
        )
        const importer = yield* SqlImporter
        const exit = yield* Effect.exit(importer.importSource(Stream.fromIterable(items), { batchSize: SIZE }))
        yield* sql.unsafe("DROP TRIGGER aq_test_refuse ON contract_unit")
        return { exit, tables: yield* contents, seqs: (yield* batchRows).map((b) => b.seq) }
      }).pipe(Effect.provide(layerStorage(backend.layer())))
      assert.isTrue(Exit.isFailure(failed.exit))
      if (Exit.isFailure(failed.exit)) {
        assert.include(String(failed.exit.cause), `batch ${failing} of stream failed`)
        assert.include(String(failed.exit.cause), `unit ${refused} refused by the test`)
        // The error's own message, the one the CLI prints, says what the database said.
        const error = Cause.squash(failed.exit.cause)
        assert.include(
          error instanceof Error ? error.message : "",
          `unit ${refused} refused by the test (SQLSTATE P0001)`
        )
      }
      assert.deepStrictEqual(failed.seqs, [1, 2, 3, 4, 5])
      const expected = yield* Effect.gen(function* () {
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(items.slice(0, (failing - 1) * SIZE)), { batchSize: SIZE })
        return yield* contents
      }).pipe(Effect.provide(layerStorage(backend.layer())))
      assert.deepStrictEqual(failed.tables, expected)
    })
  )

  it.live("a run that comes between batches sends the rest of the load through the upsert and its queue", () =>
    Effect.gen(function* () {
      const items = yield* sourceItems(generatedRecords(300, 33))
      const at = 7 * SIZE + 10
      const mid = yield* Effect.gen(function* () {
        const engine = yield* SqlIndicatorEngine
        // The run starts from inside the source, while batches are in flight: it waits for them.
        const source = Stream.fromIterable(items).pipe(
          Stream.zipWithIndex,
          Stream.mapEffect(([item, index]) => (index === at ? Effect.as(engine.run(), item) : Effect.succeed(item)))
        )
        const importer = yield* SqlImporter
        const report = yield* importer.importSource(source, { batchSize: SIZE })
        const sql = yield* SqlClient.SqlClient
        const queued = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM refresh_chain`
        return { report, queued: queued[0]?.n ?? 0, tables: yield* contents }
      }).pipe(Effect.provide(layerStorage(backend.layer())))
      const alone = yield* Effect.gen(function* () {
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(items), { batchSize: SIZE, writers: 1 })
        return yield* contents
      }).pipe(Effect.provide(layerStorage(backend.layer())))
      const { total } = mid.report
      assert.strictEqual(total.read, items.length)
      assert.strictEqual(total.inserted + total.updated + total.unchanged + total.rejected, total.read)
      assert.isAbove(mid.queued, 0, "batches after the run queued their changes")
      assert.deepStrictEqual(mid.tables, alone)
    })
  )
})
