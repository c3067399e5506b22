import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { type AnalysisReport, analyzeStream } from "@adalqarau/core"
import { generateDataset } from "@adalqarau/core/testing"
import { Effect } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll } from "vitest"
import { analyzeJsonlFolder, type FastReadOptions, jsonlFolderItems, writeDataset } from "../src/files/index.ts"
import { contract, randomContractLine, writeOddFolder } from "./support/oddLines.ts"

/**
 * The JSONL fast path must be indistinguishable from the general one (jsonlFolderItems + analyzeStream): same
 * findings, statistics, counts and rejections (text, file, line), whatever the shape of the lines and however the
 * files are cut into ranges and threads.
 */

interface Outcome {
  readonly report: AnalysisReport
  readonly rejections: ReadonlyArray<string>
}

const general = (dir: string, maxLineBytes?: number): Effect.Effect<Outcome, unknown> =>
  Effect.gen(function* () {
    const rejections: Array<string> = []
    const report = yield* analyzeStream(
      jsonlFolderItems(dir, maxLineBytes === undefined ? {} : { maxLineBytes, chunkSize: 64 }),
      { onRejected: (r) => Effect.sync(() => void rejections.push(r.text)) }
    )
    return { report, rejections }
  })

const fast = (dir: string, options: FastReadOptions): Effect.Effect<Outcome, unknown> =>
  Effect.gen(function* () {
    const rejections: Array<string> = []
    const report = yield* analyzeJsonlFolder(dir, {
      ...options,
      onRejected: (r) => Effect.sync(() => void rejections.push(r.text))
    })
    return { report, rejections }
  })

const assertSame = (actual: Outcome, expected: Outcome, label: string): void => {
  assert.deepStrictEqual(actual.rejections, expected.rejections, `${label}: rejections`)
  assert.deepStrictEqual(actual.report.input, expected.report.input, `${label}: input counts`)
  assert.deepStrictEqual(actual.report.stats, expected.report.stats, `${label}: stats`)
  assert.deepStrictEqual(actual.report.findings, expected.report.findings, `${label}: findings`)
}

/**
 * Ways to read a folder: on the calling thread or on worker threads, in one range or in many small ones, with the
 * native line scanner (where built: nativeScanner.test.ts) or the TypeScript one.
 */
const READERS: ReadonlyArray<readonly [string, FastReadOptions]> = [
  ["in process, whole files", { threads: 0 }],
  ["in process, 700-byte ranges", { threads: 0, rangeBytes: 700 }],
  ["2 worker threads, 4 KiB ranges", { threads: 2, threadsFrom: 0, rangeBytes: 4096 }],
  ["in process, 700-byte ranges, TypeScript scanner", { threads: 0, rangeBytes: 700, nativeScanner: false }],
  [
    "2 worker threads, 4 KiB ranges, TypeScript scanner",
    {
      threads: 2,
      threadsFrom: 0,
      rangeBytes: 4096,
      nativeScanner: false
    }
  ]
]

let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "adalqarau-fast-"))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("JSONL fast path = general path", () => {
  it.effect("on generated datasets (planted cases, duplicates, stale rows, every money and flag style)", () =>
    Effect.gen(function* () {
      for (const seed of [3, 4]) {
        const dir = join(root, `generated-${seed}`)
        yield* writeDataset(dir, generateDataset({ contracts: 1_500, seed }))
        const expected = yield* general(dir)
        assert.isAbove(expected.report.findings.length, 10)
        for (const [label, options] of READERS)
          assertSame(yield* fast(dir, options), expected, `seed ${seed}, ${label}`)
      }
    })
  )

  it.effect(
    "on lines of every odd shape: escapes, number shapes, duplicates, camelCase, pages, BOM, CRLF, bad JSON",
    () =>
      Effect.gen(function* () {
        const dir = join(root, "odd")
        yield* Effect.promise(() => writeOddFolder(dir))
        const expected = yield* general(dir)
        assert.isAbove(expected.rejections.length, 10)
        for (const [label, options] of READERS) assertSame(yield* fast(dir, options), expected, label)
      })
  )

  it.effect("rejects lines that are not UTF-8, as the general path does, however the file is cut", () =>
    Effect.gen(function* () {
      const dir = join(root, "not-utf8")
      yield* Effect.promise(() => mkdir(dir, { recursive: true }))
      const line = (id: number, description: Buffer) =>
        Buffer.concat([
          Buffer.from(`{"id":${id},"crdate":"2023-03-14 10:20:30","description_ru":"`),
          description,
          Buffer.from('"}\n')
        ])
      const bad = [
        line(2, Buffer.from([0xff, 0xfe])), // bytes that start no character
        line(3, Buffer.from([0xd0])), // a character cut short
        line(4, Buffer.from([0xed, 0xa0, 0x80])), // a surrogate written as UTF-8
        line(5, Buffer.from([0xc0, 0xaf])) // an overlong "/"
      ]
      const good = (id: number) => line(id, Buffer.from("Поставка продуктов питания"))
      const file = Buffer.concat([good(1), ...bad, good(6), good(7)])
      yield* Effect.promise(() => writeFile(join(dir, "contracts.jsonl"), file))
      for (const chunkSize of [1 << 20, 64, 7]) {
        const rejections: Array<string> = []
        const report = yield* analyzeStream(jsonlFolderItems(dir, { chunkSize }), {
          onRejected: (r) => Effect.sync(() => void rejections.push(r.text))
        })
        assert.deepStrictEqual(
          report.input.byKind.contract,
          { read: 7, accepted: 3, rejected: 4 },
          `chunks of ${chunkSize}`
        )
        assert.deepStrictEqual(
          rejections.map((r) => r.slice(r.indexOf("contracts.jsonl:"), r.indexOf(" field"))),
          [
            "contracts.jsonl:2: contract",
            "contracts.jsonl:3: contract",
            "contracts.jsonl:4: contract",
            "contracts.jsonl:5: contract"
          ]
        )
        for (const r of rejections) assert.include(r, "field (encoding) = ")
      }
      const expected = yield* general(dir)
      for (const [label, options] of READERS) assertSame(yield* fast(dir, options), expected, label)
    })
  )

  it.effect("says so when a line looks UTF-16-encoded, with or without a byte-order mark, either byte order", () =>
    Effect.gen(function* () {
      const dir = join(root, "utf16")
      yield* Effect.promise(() => mkdir(dir, { recursive: true }))
      const text = '{"id":2,"crdate":"2023-03-14 10:20:30"}'
      const bigEndian = Buffer.from(text, "utf16le").swap16()
      const file = Buffer.concat([
        Buffer.from('{"id":1,"crdate":"2023-03-14 10:20:30"}\n'),
        Buffer.from(text, "utf16le"),
        Buffer.from("\n"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(text, "utf16le"),
        Buffer.from("\n"),
        Buffer.from([0xfe, 0xff]),
        bigEndian,
        Buffer.from("\n"),
        // One NUL in a line does not make it UTF-16: no hint.
        Buffer.from('{"id":3,"crdate":"2023-03-14 10:20:30",\u0000}\n'),
        // Nor does a run of NULs, such as the zero-filled tail a crash leaves in a file being written.
        Buffer.alloc(100),
        Buffer.from("\n")
      ])
      yield* Effect.promise(() => writeFile(join(dir, "contracts.jsonl"), file))
      const rejections: Array<string> = []
      const report = yield* analyzeStream(jsonlFolderItems(dir), {
        onRejected: (r) => Effect.sync(() => void rejections.push(r.reason))
      })
      assert.deepStrictEqual(report.input.byKind.contract, { read: 6, accepted: 1, rejected: 5 })
      const hinted = rejections.map((r) =>
        r.endsWith("(the line looks UTF-16-encoded, with a NUL beside each character: save the file as UTF-8)")
      )
      assert.deepStrictEqual(hinted, [true, true, true, false, false])
      const expected = yield* general(dir)
      for (const [label, options] of READERS) assertSame(yield* fast(dir, options), expected, label)
    })
  )

  it("holds the lines it leaves to the decoder compactly: a million bad lines read within a 48 MB heap", () => {
    // An object and a string per left-over line took some 50 times the file's bytes: 9 MB of bad lines did not fit
    // in 100 MB of heap. The limit is the point: the same run with the old representation dies of it.
    const dir = join(root, "bad-lines")
    mkdirSync(dir)
    writeFileSync(join(dir, "contracts.jsonl"), '{"id":1}\n'.repeat(1_000_000))
    const child = spawnSync(
      process.execPath,
      ["--max-old-space-size=48", fileURLToPath(new URL("./support/analyzeFolderChild.ts", import.meta.url)), dir],
      { encoding: "utf8" }
    )
    assert.strictEqual(child.status, 0, child.stderr.slice(-2000))
    assert.deepStrictEqual(JSON.parse(child.stdout), { read: 1_000_000, accepted: 0, rejected: 1_000_000 })
  }, 120_000)

  it.effect("rejects over-long lines with their byte count, as the general path does", () =>
    Effect.gen(function* () {
      const dir = join(root, "long")
      yield* Effect.promise(() => mkdir(dir, { recursive: true }))
      const long = JSON.stringify({ ...contract(50), description_ru: "ы".repeat(400) })
      yield* Effect.promise(() =>
        writeFile(
          join(dir, "contracts.jsonl"),
          [JSON.stringify(contract(49)), long, JSON.stringify(contract(51))].join("\n")
        )
      )
      const expected = yield* general(dir, 700)
      assert.strictEqual(expected.rejections.length, 1)
      for (const [label, options] of READERS) {
        assertSame(yield* fast(dir, { ...options, maxLineBytes: 700 }), expected, label)
      }
    })
  )

  it.effect("reads long lines it leaves to the decoder (over 64 KiB: passed on as text) as the general path does", () =>
    Effect.gen(function* () {
      const dir = join(root, "long-left-over")
      yield* Effect.promise(() => mkdir(dir, { recursive: true }))
      // Nested values are left to the decoder: one accepted with a 200 KiB text, one rejected, one not UTF-8.
      const nested = { ...contract(61), description_ru: "ы".repeat(100_000), extra: { nested: [1, 2] } }
      const bad = { ...contract(62), crdate: `${"x".repeat(80_000)}` }
      yield* Effect.promise(() =>
        writeFile(
          join(dir, "contracts.jsonl"),
          Buffer.concat([
            Buffer.from(`${[JSON.stringify(contract(60)), JSON.stringify(nested), JSON.stringify(bad)].join("\n")}\n`),
            Buffer.from(`{"id":63,"description_ru":"${"a".repeat(70_000)}\xff"}\n`, "latin1"),
            Buffer.from(`${JSON.stringify(contract(64))}\n`)
          ])
        )
      )
      const expected = yield* general(dir)
      assert.strictEqual(expected.report.input.total.accepted, 3)
      assert.strictEqual(expected.rejections.length, 2)
      for (const [label, options] of READERS) assertSame(yield* fast(dir, options), expected, label)
    })
  )

  it.effect("on random contract lines (property)", () =>
    Effect.gen(function* () {
      const dir = join(root, "random")
      yield* Effect.promise(() => mkdir(dir, { recursive: true }))
      const lines = fc.sample(randomContractLine, { numRuns: 600, seed: 42 })
      yield* Effect.promise(() => writeFile(join(dir, "contracts.jsonl"), lines.join("\n")))
      yield* Effect.promise(() =>
        writeFile(
          join(dir, "contract_units.jsonl"),
          lines.map((_, i) => JSON.stringify({ id: i + 1, contract_id: i + 1, lot_id: (i % 7) + 1 })).join("\n")
        )
      )
      yield* Effect.promise(() =>
        writeFile(
          join(dir, "lots.jsonl"),
          Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: i + 1, amount: 1_000_000 + i })).join("\n")
        )
      )
      const expected = yield* general(dir)
      for (const [label, options] of READERS) assertSame(yield* fast(dir, options), expected, label)
    })
  )
})
