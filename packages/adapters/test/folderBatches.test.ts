/**
 * The importer's folder reader on a thread of its own gives exactly the batches of the same reader on the calling
 * thread: records, folding, rejections (as RecordRejection, located by file and line) and the source's errors.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FILE_OF_KIND, ProcurementSourceError, RecordRejection } from "@adalqarau/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Stream } from "effect"
import type { PreparedBatch } from "../src/postgres/batches.ts"
import { folderBatches } from "../src/postgres/folderBatches.ts"
import { edgeCaseRecords } from "./support/edgeCases.ts"
import { generatedRecords } from "./support/engines.ts"

const ON_THREAD = { threadFrom: 0 }
const HERE = { threadFrom: Number.POSITIVE_INFINITY }

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "aq-folder-batches-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** Generated and edge-case records as a JSONL folder, with a bad line in the middle of the contracts. */
const writeFolder = (dir: string) =>
  Effect.promise(async () => {
    const byKind = new Map<string, Array<string>>()
    for (const r of [...generatedRecords(300, 11), ...edgeCaseRecords()]) {
      byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), JSON.stringify(r.raw)])
    }
    const contracts = byKind.get("contract") ?? []
    const bad = Math.floor(contracts.length / 2)
    contracts.splice(bad, 0, '{"id": 12, "crdate": "not a date"', "")
    for (const [kind, lines] of byKind) {
      await writeFile(join(dir, FILE_OF_KIND[kind as keyof typeof FILE_OF_KIND]), `${lines.join("\n")}\n`)
    }
    return { badLine: bad + 1 }
  })

const collect = (dir: string, options: { readonly threadFrom: number }, batchSize = 97) =>
  Effect.map(
    Stream.runCollect(folderBatches(dir, { batchSize, ...options })),
    (chunk): Array<PreparedBatch> => [...chunk]
  )

describe("folderBatches", () => {
  it.live("a reader thread gives the batches of the calling thread, rejections included", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const { badLine } = yield* writeFolder(dir)
      const here = yield* collect(dir, HERE)
      const threaded = yield* collect(dir, ON_THREAD)
      assert.isAbove(here.length, 10)
      assert.deepStrictEqual(threaded, here)
      const rejections = threaded.flatMap((batch) => batch.rejections)
      assert.isAbove(rejections.length, 1)
      for (const rejection of rejections) assert.instanceOf(rejection, RecordRejection)
      assert.include(
        rejections.map((r) => `${r.source}:${r.line}`),
        `${join(dir, "contracts.jsonl")}:${badLine}`
      )
    }).pipe(Effect.scoped)
  )

  it.live("a folder that cannot be read fails as it does on the calling thread", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* writeFolder(dir)
      // A kind file that is a folder: found, then unreadable, after the kinds read before it.
      yield* Effect.promise(async () => {
        await rm(join(dir, FILE_OF_KIND.unit))
        await mkdir(join(dir, FILE_OF_KIND.unit))
      })
      const here = yield* Effect.exit(collect(dir, HERE))
      const threaded = yield* Effect.exit(collect(dir, ON_THREAD))
      const error = Exit.findErrorOption(threaded)
      assert.isTrue(Option.isSome(error) && error.value instanceof ProcurementSourceError)
      assert.deepStrictEqual(
        Option.map(error, (e) => [e.source, e.message]),
        Option.map(Exit.findErrorOption(here), (e) => [e.source, e.message])
      )
      assert.include(Option.getOrThrow(error).message, FILE_OF_KIND.unit)
    }).pipe(Effect.scoped)
  )

  it.live("a consumer that stops early gets the same first batches, and the stream ends", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* writeFolder(dir)
      // Whether the thread was terminated is not visible from here; without more credit it would idle, not read.
      const first = yield* Stream.runCollect(Stream.take(folderBatches(dir, { batchSize: 5, ...ON_THREAD }), 2))
      assert.strictEqual([...first].length, 2)
      assert.deepStrictEqual([...first], (yield* collect(dir, HERE, 5)).slice(0, 2))
    }).pipe(Effect.scoped)
  )
})
