/**
 * Bulk import and the ContractStore on PostgreSQL 15 and PGlite: idempotent re-import, bad records quarantined
 * with their reason, a failure between batches (earlier batches committed, nothing of the next), partition moves,
 * and the store's reads agreeing with core's in-memory store.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type Bin,
  type ContractId,
  type ContractQuery,
  ContractStore,
  FILE_OF_KIND,
  type ProcurementRecord,
  type RecordKind
} from "@adalqarau/core"
import { layerMemoryContractStore } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { rebuildChainKeys } from "../src/postgres/chains.ts"
import { importFolder, layerStorage } from "../src/postgres/Database.ts"
import { ImportError, SqlImporter } from "../src/postgres/PgImporter.ts"
import { SqlIndicatorEngine } from "../src/postgres/PgIndicatorEngine.ts"
import { prepareRecords, writePrepared } from "../src/postgres/upsert.ts"
import { backends } from "./support/databases.ts"
import { recordTableContents as contents } from "./support/recordTables.ts"
import { C1, C3, contract, EDGE_CASE_REJECTS, edgeCaseRecords } from "./support/edgeCases.ts"
import { acceptedRecords, generatedRecords, type RawRecord, sourceItems } from "./support/engines.ts"

const sortRecords = (records: ReadonlyArray<ProcurementRecord>) =>
  records.map((r) => `${r.kind}:${JSON.stringify(r.value, Object.keys(r.value).sort())}`).sort()

for (const backend of backends()) {
  describe(`import and ContractStore (${backend.name})`, () => {
    it.live("a batch size that is not a whole number of records is refused before anything is written", () =>
      Effect.gen(function* () {
        const importer = yield* SqlImporter
        for (const batchSize of [0, -1, 1.5, Number.NaN]) {
          const error = yield* Effect.flip(importer.importSource(Stream.empty, { batchSize }))
          assert.strictEqual(error._tag, "ImportError")
          assert.include(error.message, `batchSize must be a whole number of records, at least 1; got ${batchSize}`)
        }
        const sql = yield* SqlClient.SqlClient
        const batches = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM import_batch`
        assert.strictEqual(batches[0]?.n, 0)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("re-importing the same records changes nothing and reports them unchanged", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(generatedRecords(1_200, 5))
        const importer = yield* SqlImporter
        const first = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 1_000, source: "gen" })
        const t = first.total
        assert.strictEqual(t.read, items.length)
        assert.strictEqual(t.read, t.inserted + t.updated + t.unchanged + t.rejected)
        for (const b of first.batches) assert.strictEqual(b.read, b.inserted + b.updated + b.unchanged + b.rejected)
        const after = yield* contents

        // Another batch size moves the duplicates of a version into other transactions: still nothing changes.
        const second = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 777 })
        assert.deepStrictEqual(second.total, {
          read: items.length,
          inserted: 0,
          updated: 0,
          unchanged: items.length,
          rejected: 0
        })
        assert.deepStrictEqual(yield* contents, after)

        const sql = yield* SqlClient.SqlClient
        const batches = yield* sql<{ n: unknown; read: unknown }>`
          SELECT count(*)::int AS n, sum(read)::int AS read FROM import_batch WHERE import_id = ${String(first.importId)}::bigint`
        assert.strictEqual(Number(batches[0]?.n), first.batches.length)
        assert.strictEqual(Number(batches[0]?.read), items.length)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a bulk load's plain inserts count and store as the upsert does, chain keys exact at its end", () =>
      Effect.gen(function* () {
        // Later batches repeat earlier records and change some (newer versions, other sums), so the plain insert of
        // a batch meets stored keys and the upsert takes over; rootless parent lines get provisional keys.
        const base = [...edgeCaseRecords(), ...generatedRecords(150, 21)]
        const changed = base.flatMap((r, i): ReadonlyArray<RawRecord> => {
          const raw = r.raw as Readonly<Record<string, unknown>>
          if (i % 3 !== 0) return []
          if (r.kind === "contract") {
            return [{ ...r, raw: { ...raw, last_update_date: "2030-01-01 00:00:00", contract_sum: "777.00" } }]
          }
          if (r.kind === "unit" || r.kind === "payment") return [{ ...r, raw: { ...raw, contract_id: 3001 } }]
          return []
        })
        const items = yield* sourceItems([...base, ...changed, ...base.slice(0, 400)])
        const load = Effect.gen(function* () {
          const importer = yield* SqlImporter
          const report = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 60 })
          const sql = yield* SqlClient.SqlClient
          const repaired = yield* rebuildChainKeys({ splitFromRows: 0 }).pipe(sql.withTransaction)
          const queued = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM refresh_chain`
          return {
            counts: report.batches.map(({ batchId: _, ...counts }) => counts),
            tables: yield* contents,
            repaired,
            queued: (queued[0]?.n ?? 0) > 0
          }
        })
        const fresh = yield* load.pipe(Effect.provide(layerStorage(backend.layer())))
        // With an indicator run on record every batch goes through the upsert (and queues its changes).
        const upserted = yield* Effect.gen(function* () {
          const engine = yield* SqlIndicatorEngine
          yield* engine.run()
          return yield* load
        }).pipe(Effect.provide(layerStorage(backend.layer())))
        assert.isFalse(fresh.queued)
        assert.isTrue(upserted.queued)
        assert.strictEqual(fresh.repaired, 0)
        assert.isAbove(
          fresh.counts.reduce((n, b) => n + b.updated, 0),
          10
        )
        assert.deepStrictEqual(fresh.counts, upserted.counts)
        assert.deepStrictEqual(fresh.tables, upserted.tables)
      })
    )

    it.live("during a bulk load rootless parent lines carry provisional chain keys; when it ends, exact ones", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems([...edgeCaseRecords(), ...generatedRecords(100, 5)])
        const sql = yield* SqlClient.SqlClient
        const keyOf = (id: number) =>
          Effect.map(
            sql<{ key: string }>`SELECT chain_key::text AS key FROM contract_chain WHERE contract_id = ${id}`,
            (rows) => rows[0]?.key
          )
        // Looked at from inside the source once the edge cases' batches have committed (the reader runs ahead of
        // the writer, so it waits for them).
        let during: ReadonlyArray<string | undefined> = []
        const look = Effect.gen(function* () {
          while ((yield* keyOf(4003)) === undefined) yield* Effect.sleep("10 millis")
          during = [yield* keyOf(4002), yield* keyOf(4003)]
        })
        const at = items.length - 50
        const watched = Stream.fromIterable(items).pipe(
          Stream.zipWithIndex,
          Stream.mapEffect(([item, index]) => (index === at ? Effect.as(look, item) : Effect.succeed(item)))
        )
        const importer = yield* SqlImporter
        yield* importer.importSource(watched, { batchSize: 20 })
        assert.deepStrictEqual(during, ["4002", "4003"], "each its own id while the load runs")
        assert.deepStrictEqual([yield* keyOf(4002), yield* keyOf(4003)], ["4001", "4001"])
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a fresh write inserts plainly and leaves provisional chain keys on rootless parent lines", () =>
      Effect.gen(function* () {
        const records = acceptedRecords(yield* sourceItems(edgeCaseRecords()))
        const write = (fresh: boolean) =>
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const written = yield* writePrepared(prepareRecords(records), { fresh }).pipe(sql.withTransaction)
            const repaired = yield* rebuildChainKeys({ splitFromRows: 0 }).pipe(sql.withTransaction)
            return { provisional: written.provisionalChainKeys, repaired, counts: written.counts }
          }).pipe(Effect.provide(layerStorage(backend.layer())))
        const fresh = yield* write(true)
        const upserted = yield* write(false)
        assert.deepStrictEqual(fresh.counts, upserted.counts)
        assert.isTrue(fresh.provisional)
        // 4002, 4003, 4005 and the cycle 4101/4102 take their keys from their parent lines.
        assert.isAtLeast(fresh.repaired, 3)
        assert.deepStrictEqual(
          { provisional: upserted.provisional, repaired: upserted.repaired },
          {
            provisional: false,
            repaired: 0
          }
        )
      })
    )

    it.live("bad records land in rejected_record with their reason; the good ones are kept", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(edgeCaseRecords(), "edge-cases.jsonl")
        const importer = yield* SqlImporter
        const report = yield* importer.importSource(Stream.fromIterable(items), { batchSize: 50, source: "edge" })
        const t = report.total
        assert.strictEqual(t.rejected, EDGE_CASE_REJECTS)
        assert.strictEqual(t.read, t.inserted + t.updated + t.unchanged + t.rejected)
        const sql = yield* SqlClient.SqlClient
        const rejected = yield* sql<{
          kind: string
          field: string
          value: string
          reason: string
          source_file: string
          line: number
        }>`
          SELECT r.kind, r.field, r.value, r.reason, r.source_file, r.line FROM rejected_record r
          JOIN import_batch b ON b.id = r.batch_id WHERE b.import_id = ${String(report.importId)}::bigint ORDER BY r.line`
        assert.strictEqual(rejected.length, EDGE_CASE_REJECTS)
        const expected = items.flatMap((item) => (item._tag === "Rejected" ? [item.rejection] : []))
        assert.deepStrictEqual(
          rejected.map((r) => [r.kind, r.field, r.value, r.reason, r.source_file, r.line]),
          expected.map((r) => [r.kind, r.field, r.value, r.reason, r.source, r.line])
        )
        const injected = rejected.find((r) => r.kind === "subject")
        assert.strictEqual(injected?.value, JSON.stringify("'; DROP TABLE contract; --"))
        const store = yield* ContractStore
        const counts = yield* store.count
        assert.strictEqual(
          counts.contract,
          new Set(acceptedRecords(items).flatMap((r) => (r.kind === "contract" ? [r.value.id] : []))).size
        )
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a failure between batches leaves the earlier batches committed and nothing of the next", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(generatedRecords(400, 9))
        const importer = yield* SqlImporter
        const batch = 500
        // Two full batches, then part of a third, then the source fails.
        const stream = Stream.concat(
          Stream.fromIterable(items.slice(0, 2 * batch + 250)),
          Stream.fail(new ImportError({ message: "the source broke off" }))
        )
        const exit = yield* Effect.exit(importer.importSource(stream, { batchSize: batch }))
        assert.isTrue(Exit.isFailure(exit))
        const sql = yield* SqlClient.SqlClient
        const batches = yield* sql<{ seq: unknown }>`SELECT seq FROM import_batch ORDER BY id`
        assert.deepStrictEqual(
          batches.map((b) => Number(b.seq)),
          [1, 2]
        )
        const afterTwo = yield* contents
        // The same two batches imported alone give exactly these tables.
        const expected = yield* Effect.gen(function* () {
          const again = yield* SqlImporter
          yield* again.importSource(Stream.fromIterable(items.slice(0, 2 * batch)), { batchSize: batch })
          return yield* contents
        }).pipe(Effect.provide(layerStorage(backend.layer())))
        assert.deepStrictEqual(afterTwo, expected)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a folder of OWS JSONL files imports through the folder source, bad lines located by file and line", () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "aq-folder-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const records = edgeCaseRecords()
        const byKind = new Map<string, Array<string>>()
        for (const r of records) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), JSON.stringify(r.raw)])
        byKind.set("contract", [...(byKind.get("contract") ?? []), "{not json"])
        for (const [kind, lines] of byKind)
          yield* Effect.promise(() => writeFile(join(dir, FILE_OF_KIND[kind as RecordKind]), `${lines.join("\n")}\n`))
        const report = yield* importFolder(dir, { batchSize: 20 })
        assert.strictEqual(report.total.read, records.length + 1)
        assert.strictEqual(report.total.rejected, EDGE_CASE_REJECTS + 1)
        const sql = yield* SqlClient.SqlClient
        const located = yield* sql<{ source_file: string; line: number }>`
          SELECT source_file, line FROM rejected_record WHERE field = '(json)'`
        assert.deepStrictEqual(located, [
          { source_file: join(dir, "contracts.jsonl"), line: byKind.get("contract")?.length ?? 0 }
        ])
        // Read on a reader thread (as large folders are), the same folder imports to the same tables and counts.
        const tables = yield* contents
        const threaded = yield* Effect.gen(function* () {
          const report = yield* importFolder(dir, { batchSize: 20, threadFrom: 0 })
          return { total: report.total, batches: report.batches.length, tables: yield* contents }
        }).pipe(Effect.provide(layerStorage(backend.layer())))
        assert.deepStrictEqual(threaded, { total: report.total, batches: report.batches.length, tables })
      }).pipe(Effect.scoped, Effect.provide(layerStorage(backend.layer())))
    )

    it.live("reads agree with the in-memory store; a changed financial year moves the row", () =>
      Effect.gen(function* () {
        const items = yield* sourceItems(edgeCaseRecords())
        const records = acceptedRecords(items)
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(items), { batchSize: 13 })
        const store = yield* ContractStore
        const memory = yield* Effect.provide(
          Effect.gen(function* () {
            const m = yield* ContractStore
            yield* m.upsert(records)
            return m
          }),
          layerMemoryContractStore
        )

        assert.deepStrictEqual(yield* store.count, yield* memory.count)
        assert.deepStrictEqual(
          sortRecords([...(yield* Stream.runCollect(store.records))]),
          sortRecords([...(yield* Stream.runCollect(memory.records))])
        )
        for (const id of [1001, 3003, 4003, 4005, 4101, 4301, 4402, 6001, 6002, 424242]) {
          assert.deepStrictEqual(
            yield* store.getContract(id as ContractId),
            yield* memory.getContract(id as ContractId)
          )
          assert.deepStrictEqual(yield* store.getChain(id as ContractId), yield* memory.getChain(id as ContractId))
        }
        const queries: ReadonlyArray<ContractQuery> = [
          { limit: 1000 },
          { limit: 7, afterId: 3001 as ContractId },
          { limit: 100, customerBin: C3 as Bin },
          { limit: 100, supplierBin: C1 as Bin },
          { limit: 100, number: "№ 1002" },
          { limit: 100, number: "SYS-3003" },
          { limit: 100, regions: ["71" as const, "75" as const] },
          { limit: 100, signedFrom: Date.UTC(2023, 1, 1) as never, signedTo: Date.UTC(2023, 4, 1) as never }
        ] as ReadonlyArray<ContractQuery>
        for (const query of queries) {
          assert.deepStrictEqual(yield* store.search(query), yield* memory.search(query), JSON.stringify(query))
        }

        // 6001 was stored with fin_year 2024 (the later of two rows with equal last_update_date); a newer row
        // takes it back to 2023: one row, in the 2023 partition.
        const sql = yield* SqlClient.SqlClient
        const where = sql<{ part: string }>`SELECT tableoid::regclass::text AS part FROM contract WHERE id = 6001`
        assert.deepStrictEqual(yield* where, [{ part: "contract_fy2024" }])
        yield* store.upsert(
          acceptedRecords(yield* sourceItems([contract({ id: 6001, updated: "2023-06-01 10:00:00", finYear: 2023 })]))
        )
        assert.deepStrictEqual(yield* where, [{ part: "contract_fy2023" }])
        // contract_chain names the new partition: lookups by id probe only the partition it names.
        assert.deepStrictEqual(yield* sql`SELECT fin_part FROM contract_chain WHERE contract_id = 6001`, [
          { fin_part: 2023 }
        ])
        assert.strictEqual(Option.getOrThrow(yield* store.getContract(6001 as ContractId)).finYear, 2023)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  })
}
