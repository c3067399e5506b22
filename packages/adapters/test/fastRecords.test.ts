import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { FILE_OF_KIND, type RecordKind, type SourceItem } from "@adalqarau/core"
import { generateDataset } from "@adalqarau/core/testing"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll } from "vitest"
import { decodeJsonlLine } from "../src/files/decodeJsonlLine.ts"
import { isRecordScanKind, RecordLineReader } from "../src/files/fast/records.ts"
import { jsonlFolderItems, writeDataset } from "../src/files/index.ts"
import {
  ODD_CONTRACTS,
  ODD_LOTS,
  ODD_PAYMENTS,
  ODD_UNITS,
  randomContractLine,
  writeOddFolder
} from "./support/oddLines.ts"

/**
 * Records read straight from bytes (fast/records.ts) must be the general decoder's (JSON.parse + decodeRecord),
 * field for field, and a folder read with them must give the items, rejections and line numbers it gives.
 */

const KINDS: ReadonlyArray<RecordKind> = ["subject", "ref", "lot", "contract", "unit", "payment"]

/** The general path by hand: every line of the file (as lineBatches cuts them) through decodeJsonlLine. */
const generalItems = async (dir: string): Promise<Array<SourceItem>> => {
  const items: Array<SourceItem> = []
  for (const kind of KINDS) {
    const path = join(dir, FILE_OF_KIND[kind])
    const text = await readFile(path, "utf8").catch(() => undefined)
    if (text === undefined) continue
    const lines = text.split("\n")
    if (lines.at(-1) === "") lines.pop()
    const decode = decodeJsonlLine(kind, path)
    lines.forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
      decode(i === 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, i + 1, items)
    })
  }
  return items
}

const folderItems = (dir: string, chunkSize?: number) =>
  Effect.map(Stream.runCollect(jsonlFolderItems(dir, chunkSize === undefined ? {} : { chunkSize })), (items) => [
    ...items
  ])

/** How many lines of the kind files the byte reader took, and how many there were. */
const linesTaken = async (dir: string): Promise<{ taken: number; lines: number }> => {
  const reader = new RecordLineReader()
  let taken = 0
  let lines = 0
  for (const kind of KINDS) {
    if (!isRecordScanKind(kind)) continue
    const bytes = await readFile(join(dir, FILE_OF_KIND[kind])).catch(() => undefined)
    if (bytes === undefined) continue
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
    let from = 0
    while (from < bytes.length) {
      const end = bytes.indexOf(10, from)
      const to = end === -1 ? bytes.length : end
      lines++
      const out: Array<SourceItem> = []
      if (reader.read(kind, bytes, view, from, to, out)) taken++
      from = to + 1
    }
  }
  return { taken, lines }
}

/**
 * Each line on its own: where the byte reader takes it, its items are the general decoder's; with the native line
 * scanner (where built) and the TypeScript one, which take the same lines.
 */
const assertLineByLine = (kind: RecordKind, lines: ReadonlyArray<string>): number => {
  const taken = lineByLine(kind, lines, true)
  assert.strictEqual(lineByLine(kind, lines, false), taken, "the TypeScript scanner takes as many lines")
  return taken
}

const lineByLine = (kind: RecordKind, lines: ReadonlyArray<string>, useNative: boolean): number => {
  if (!isRecordScanKind(kind)) return 0
  const reader = new RecordLineReader(useNative)
  const decode = decodeJsonlLine(kind, "f")
  let taken = 0
  lines.forEach((text, i) => {
    const bytes = Buffer.from(`  ${text}\n`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
    const fast: Array<SourceItem> = []
    if (!reader.read(kind, bytes, view, 2, bytes.length - 1, fast)) {
      assert.deepStrictEqual(fast, [], "nothing pushed for a line left to the decoder")
      return
    }
    taken++
    const expected: Array<SourceItem> = []
    decode(text, i + 1, expected)
    assert.deepStrictEqual(fast, expected, `${kind} line ${i + 1} (${useNative ? "native" : "TypeScript"}): ${text}`)
  })
  return taken
}

let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "adalqarau-records-"))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("records from bytes = the general decoder's", () => {
  it.effect("on generated datasets, whole folders in 64-byte and 1 MiB chunks; nearly every line is taken", () =>
    Effect.gen(function* () {
      for (const seed of [3, 4]) {
        const dir = join(root, `generated-${seed}`)
        yield* writeDataset(dir, generateDataset({ contracts: 1_500, seed }))
        const expected = yield* Effect.promise(() => generalItems(dir))
        assert.isAbove(expected.length, 5_000)
        assert.deepStrictEqual(yield* folderItems(dir), expected, `seed ${seed}`)
        assert.deepStrictEqual(yield* folderItems(dir, 64), expected, `seed ${seed}, 64-byte chunks`)
        const { taken, lines } = yield* Effect.promise(() => linesTaken(dir))
        assert.isAbove(taken / lines, 0.95, `${taken} of ${lines} lines from bytes`)
      }
    })
  )

  it.effect("on lines of every odd shape, in a folder (BOM, CRLF, pages, bad JSON) and line by line", () =>
    Effect.gen(function* () {
      const dir = join(root, "odd")
      yield* Effect.promise(() => writeOddFolder(dir))
      const expected = yield* Effect.promise(() => generalItems(dir))
      assert.isAbove(expected.filter((i) => i._tag === "Rejected").length, 10)
      assert.deepStrictEqual(yield* folderItems(dir), expected)
      assert.deepStrictEqual(yield* folderItems(dir, 64), expected, "64-byte chunks")
      const taken =
        assertLineByLine("contract", ODD_CONTRACTS) +
        assertLineByLine("unit", ODD_UNITS) +
        assertLineByLine("lot", ODD_LOTS) +
        assertLineByLine("payment", ODD_PAYMENTS)
      assert.isAbove(taken, 20)
    })
  )

  it("on random contract lines, and text with escapes, non-ASCII and numbers (property)", () => {
    const lines = fc.sample(randomContractLine, { numRuns: 2_000, seed: 43 })
    assert.isAbove(assertLineByLine("contract", lines), 10)
    const texts = ["Поставка «продуктов» — 100%", 'ТОО "Ромашка"', "a\\b", "tab\there", "😀 emoji", "", " ", "\u2028"]
    const textLines = texts.flatMap((t, i) => [
      JSON.stringify({ id: i + 1, crdate: "2023-03-14 10:20:30", description_ru: t, contract_number: t }),
      `{"id":${i + 100},"crdate":"2023-03-14 10:20:30","ref_currency_code":${JSON.stringify(t)}}`
    ])
    assert.isAbove(
      assertLineByLine("contract", [...textLines, '{"id":1,"crdate":"2023-03-14 10:20:30","contract_number":7}']),
      8
    )
  })
})
