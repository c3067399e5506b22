/**
 * An import's counts per record kind on PostgreSQL 15 and PGlite: a folder of every kind with duplicates within a
 * batch and rejected lines in most kinds, imported in one batch (exact counts), again (all unchanged), and in small
 * batches (a bulk load, on two connections on PostgreSQL); each time as core's in-memory store counts the same
 * records, and the SQL store's own upsert too.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  ContractStore,
  FILE_OF_KIND,
  RecordRejection,
  rejected,
  type KindUpsertCounts,
  type ProcurementRecord,
  type RecordKind
} from "@adalqarau/core"
import { layerMemoryContractStore } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { jsonlFolderItems } from "../src/files/JsonlFolderSource.ts"
import { importFolder, layerStorage } from "../src/postgres/Database.ts"
import { type BatchCounts, type CountsByKind, type ImportReport, SqlImporter } from "../src/postgres/PgImporter.ts"
import { backends } from "./support/databases.ts"
import { C1, contract, lot, payment, S1, subject, unit } from "./support/edgeCases.ts"
import { acceptedRecords, batchesOf, type RawRecord } from "./support/engines.ts"

const line = (record: RawRecord): string => JSON.stringify(record.raw)

/** Per kind: a duplicate within the batch (folded: unchanged) and a rejected line, except for payments. */
const FOLDER: Readonly<Record<RecordKind, ReadonlyArray<string>>> = {
  subject: [
    line(subject(C1, "711000000", "Акимат")),
    line(subject(S1, null, "ТОО")),
    line(subject(C1, "711000000", "Акимат города")),
    line(subject("123456789012", null))
  ],
  ref: [
    JSON.stringify({ book: "ref_contract_status", id: 190, name_ru: "Действует" }),
    JSON.stringify({ book: "ref_contract_status", id: 191, name_ru: null })
  ],
  lot: [line(lot(10, "1000.00")), line(lot(10, "1000.00")), JSON.stringify({ id: 11, amount: null })],
  contract: [
    line(contract({ id: 1, updated: "2024-06-01 00:00:00" })),
    // An older version of 1: left behind within the batch.
    line(contract({ id: 1, updated: "2024-01-01 00:00:00", sum: "1.00" })),
    line(contract({ id: 2, parent: 1, root: 1 })),
    "{not json"
  ],
  unit: [
    line(unit(5, 1, 10)),
    line(unit(5, 1, 10)),
    line(unit(6, 2, null)),
    JSON.stringify({ id: 7, contract_id: null })
  ],
  payment: [line(payment(9, 1, "2024-06-02 10:00:00"))]
}

const counts = (read: number, inserted: number, updated: number, unchanged: number, rejected: number) => ({
  read,
  inserted,
  updated,
  unchanged,
  rejected
})

const FIRST: CountsByKind = {
  subject: counts(4, 2, 0, 1, 1),
  ref: counts(2, 1, 0, 0, 1),
  lot: counts(3, 1, 0, 1, 1),
  contract: counts(4, 2, 0, 1, 1),
  unit: counts(4, 2, 0, 1, 1),
  payment: counts(1, 1, 0, 0, 0)
}

const AGAIN: CountsByKind = {
  subject: counts(4, 0, 0, 3, 1),
  ref: counts(2, 0, 0, 1, 1),
  lot: counts(3, 0, 0, 2, 1),
  contract: counts(4, 0, 0, 3, 1),
  unit: counts(4, 0, 0, 3, 1),
  payment: counts(1, 0, 0, 1, 0)
}

const withFolder = Effect.acquireRelease(
  Effect.promise(async () => {
    const dir = await mkdtemp(join(tmpdir(), "aq-by-kind-"))
    for (const [kind, lines] of Object.entries(FOLDER)) {
      await writeFile(join(dir, FILE_OF_KIND[kind as RecordKind]), `${lines.join("\n")}\n`)
    }
    return dir
  }),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** The store's share of per-kind counts: what it did with the records it was given. */
const stored = (byKind: CountsByKind): Partial<Record<RecordKind, KindUpsertCounts>> =>
  Object.fromEntries(
    Object.entries(byKind)
      .filter(([, c]) => c.read > c.rejected)
      .map(([kind, c]) => [kind, { inserted: c.inserted, updated: c.updated, unchanged: c.unchanged }])
  )

/** What upserting these batches one after the other did, per kind, on a store. */
const upsertedByKind = (batches: ReadonlyArray<ReadonlyArray<ProcurementRecord>>) =>
  Effect.gen(function* () {
    const store = yield* ContractStore
    const sum: Partial<Record<RecordKind, KindUpsertCounts>> = {}
    for (const batch of batches) {
      for (const [kind, c] of Object.entries((yield* store.upsert(batch)).byKind)) {
        const before = sum[kind as RecordKind] ?? { inserted: 0, updated: 0, unchanged: 0 }
        sum[kind as RecordKind] = {
          inserted: before.inserted + c.inserted,
          updated: before.updated + c.updated,
          unchanged: before.unchanged + c.unchanged
        }
      }
    }
    return sum
  })

const plus = (a: BatchCounts, b: BatchCounts): BatchCounts => ({
  read: a.read + b.read,
  inserted: a.inserted + b.inserted,
  updated: a.updated + b.updated,
  unchanged: a.unchanged + b.unchanged,
  rejected: a.rejected + b.rejected
})

const ZERO = counts(0, 0, 0, 0, 0)

/** Every batch's kinds add up to the batch, and the batches' kinds to the report's. */
const assertAddsUp = (report: ImportReport) => {
  const summed = new Map<string, BatchCounts>()
  for (const batch of report.batches) {
    const { byKind, importId: _i, batchId: _b, seq: _s, ...total } = batch
    assert.deepStrictEqual(Object.values(byKind).reduce(plus, ZERO), total, `batch ${batch.seq}`)
    for (const [kind, c] of Object.entries(byKind)) {
      assert.strictEqual(c.read, c.inserted + c.updated + c.unchanged + c.rejected, `batch ${batch.seq} ${kind}`)
      summed.set(kind, plus(summed.get(kind) ?? ZERO, c))
    }
  }
  for (const [kind, c] of Object.entries(report.byKind)) assert.deepStrictEqual(c, summed.get(kind) ?? ZERO, kind)
  assert.deepStrictEqual(Object.values(report.byKind).reduce(plus, ZERO), report.total)
}

const rejectedByKind = (importId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ kind: string; n: number }>`
      SELECT r.kind, count(*)::int AS n FROM rejected_record r JOIN import_batch b ON b.id = r.batch_id
      WHERE b.import_id = ${String(importId)}::bigint GROUP BY r.kind`
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]))
  })

for (const backend of backends()) {
  describe(`import counts per kind (${backend.name})`, () => {
    it.live("one batch: duplicates unchanged and rejections under their kind; a re-import all unchanged", () =>
      Effect.gen(function* () {
        const dir = yield* withFolder
        const items = [...(yield* Stream.runCollect(jsonlFolderItems(dir)))]
        const first = yield* importFolder(dir, { batchSize: 100 })
        assert.strictEqual(first.batches.length, 1)
        assert.deepStrictEqual(first.byKind, FIRST)
        assert.deepStrictEqual(first.total, counts(18, 9, 0, 4, 5))
        assertAddsUp(first)
        assert.deepStrictEqual(yield* rejectedByKind(first.importId), {
          subject: 1,
          ref: 1,
          lot: 1,
          contract: 1,
          unit: 1
        })

        const again = yield* importFolder(dir, { batchSize: 100 })
        assert.deepStrictEqual(again.byKind, AGAIN)
        assert.deepStrictEqual(again.total, counts(18, 0, 0, 13, 5))
        assertAddsUp(again)

        // The in-memory store and the SQL store's own upsert (not the bulk load's) count the records so too.
        const records = acceptedRecords(items)
        const memory = yield* upsertedByKind([records, records]).pipe(Effect.provide(layerMemoryContractStore))
        assert.deepStrictEqual(memory, {
          subject: { inserted: 2, updated: 0, unchanged: 4 },
          ref: { inserted: 1, updated: 0, unchanged: 1 },
          lot: { inserted: 1, updated: 0, unchanged: 3 },
          contract: { inserted: 2, updated: 0, unchanged: 4 },
          unit: { inserted: 2, updated: 0, unchanged: 4 },
          payment: { inserted: 1, updated: 0, unchanged: 1 }
        })
        const sqlStore = yield* upsertedByKind([records]).pipe(Effect.provide(layerStorage(backend.layer())))
        assert.deepStrictEqual(sqlStore, stored(FIRST))
      }).pipe(Effect.scoped, Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a rejection of a kind no store knows counts under its own name, even one named like __proto__", () =>
      Effect.gen(function* () {
        const odd = (kind: string) =>
          rejected(new RecordRejection({ kind, field: "(record)", value: "{}", reason: "an unknown kind" }))
        const report = yield* (yield* SqlImporter).importSource(
          Stream.fromIterable([odd("__proto__"), odd("constructor"), odd("__proto__")])
        )
        assert.deepStrictEqual(Object.keys(report.byKind).slice(-2), ["__proto__", "constructor"])
        assert.deepStrictEqual(
          Object.getOwnPropertyDescriptor(report.byKind, "__proto__")?.value,
          counts(2, 0, 0, 0, 2)
        )
        assert.deepStrictEqual(report.total, counts(3, 0, 0, 0, 3))
        assertAddsUp(report)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("batches of two (a bulk load, on two connections on PostgreSQL) count per kind as the memory store", () =>
      Effect.gen(function* () {
        const dir = yield* withFolder
        const items = [...(yield* Stream.runCollect(jsonlFolderItems(dir)))]
        const report = yield* importFolder(dir, { batchSize: 2, threadFrom: 0 })
        assert.strictEqual(report.batches.length, 9)
        assertAddsUp(report)
        // Read on a reader thread, as large folders are. Duplicates in other batches: the later C1 (another name) updates the earlier one; the older version of
        // contract 1 and the repeated unit 5 find their stored rows as they are.
        assert.deepStrictEqual(report.byKind, {
          subject: counts(4, 2, 1, 0, 1),
          ref: counts(2, 1, 0, 0, 1),
          lot: counts(3, 1, 0, 1, 1),
          contract: counts(4, 2, 0, 1, 1),
          unit: counts(4, 2, 0, 1, 1),
          payment: counts(1, 1, 0, 0, 0)
        })
        // A batch names the kinds it read, those of its rejections too: lot 11 and the bad contract line.
        assert.deepStrictEqual(report.batches[4]?.byKind, {
          lot: counts(1, 0, 0, 0, 1),
          contract: counts(1, 1, 0, 0, 0)
        })
        assert.deepStrictEqual(report.batches[6]?.byKind, {
          contract: counts(1, 0, 0, 0, 1),
          unit: counts(1, 1, 0, 0, 0)
        })
        const memory = yield* upsertedByKind(batchesOf(items, 2).map(acceptedRecords)).pipe(
          Effect.provide(layerMemoryContractStore)
        )
        assert.deepStrictEqual(stored(report.byKind), memory)
      }).pipe(Effect.scoped, Effect.provide(layerStorage(backend.layer())))
    )
  })
}
