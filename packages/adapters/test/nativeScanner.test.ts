import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import type { RecordKind } from "@adalqarau/core"
import { generateDataset } from "@adalqarau/core/testing"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { jsonlFolderFiles } from "../src/files/JsonlFolderSource.ts"
import { analyzeJsonlFolder, jsonlFolderItems, writeDataset } from "../src/files/index.ts"
import { KIND_SPECS, RECORD_SPECS, TEXT } from "../src/files/fast/kinds.ts"
import { ACCEPTED, BLANK, FALLBACK, LineScanner } from "../src/files/fast/LineScanner.ts"
import {
  ALL_READ,
  LINE_FOR_CALLER,
  NativeLineScanner,
  nativeScannerAbsence,
  ROWS_FULL
} from "../src/files/fast/nativeScanner.ts"
import {
  contract,
  j,
  ODD_CONTRACTS,
  ODD_LOTS,
  ODD_PAYMENTS,
  ODD_SUBJECTS,
  ODD_UNITS,
  randomContractLine
} from "./support/oddLines.ts"

/**
 * The C++ scanner must be the TypeScript one, line for line: the same verdict (a row, a blank line, or the line
 * left to the decoder) and the same row, bit for bit (NaN for absent values). The folder-level tests
 * (fastJsonl.test.ts) read through both as well.
 */

const absence = nativeScannerAbsence()
// CI builds the addon (scripts/dev setup): there its absence is a failure, not a reason to skip.
const describeNative = absence === undefined || process.env.CI !== undefined ? describe : describe.skip

const verdictName = (verdict: number): string =>
  verdict === ACCEPTED ? "accepted" : verdict === BLANK ? "blank" : verdict === FALLBACK ? "fallback" : "?"

interface Reading {
  readonly verdict: string
  readonly row: ReadonlyArray<number>
}

/** Reads each line (its bytes followed by a line feed) with both scanners, one scanner pair per kind. */
const compare = (kind: RecordKind, lines: ReadonlyArray<string>): number => {
  const spec = KIND_SPECS[kind]
  const typescript = new LineScanner(spec)
  const native = NativeLineScanner.of(spec)
  assert.isDefined(native, absence)
  if (native === undefined) return 0
  const rows = new Float64Array(Math.max(1, spec.slots))
  let compared = 0
  for (const line of lines) {
    const bytes = Buffer.from(`${line}\n`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let to = bytes.length - 1
    if (to > 0 && bytes[to - 1] === 13) to--
    const verdict = typescript.scan(bytes, view, 0, to)
    const expected: Reading = {
      verdict: verdictName(verdict),
      row: verdict === ACCEPTED ? Array.from(typescript.row) : []
    }
    rows.fill(-12345)
    native.scanLines(bytes, 0, bytes.length, 1 << 20, rows, 0)
    const [next, written, read, reason] = native.out
    const actual: Reading =
      reason === LINE_FOR_CALLER
        ? { verdict: "fallback", row: [] }
        : {
            verdict: written === 1 ? "accepted" : "blank",
            row: written === 1 ? Array.from(rows.subarray(0, spec.slots)) : []
          }
    assert.deepStrictEqual(actual, expected, `${kind}: ${line}`)
    if (reason === ALL_READ) {
      assert.strictEqual(next, bytes.length)
      assert.strictEqual(read, 1)
    } else assert.deepStrictEqual([next, written, read], [0, 0, 0])
    compared++
  }
  return compared
}

describeNative("native line scanner = TypeScript line scanner", () => {
  it("on the odd lines of every kind (escapes, number and date shapes, duplicates, camelCase, bad JSON)", () => {
    compare("contract", ODD_CONTRACTS)
    compare("unit", ODD_UNITS)
    compare("lot", ODD_LOTS)
    compare("payment", ODD_PAYMENTS)
    compare("subject", ODD_SUBJECTS)
  })

  it("on random contract lines (property)", () => {
    assert.strictEqual(compare("contract", fc.sample(randomContractLine, { numRuns: 3000, seed: 7 })), 3000)
  })

  it("on lines cut short or broken at every byte", () => {
    const line = j(contract(5, { description_ru: 'a "b" \\u0041 ы', contract_sum_wnds: "1000.50" }))
    const broken: Array<string> = []
    for (let i = 0; i <= line.length; i++) {
      broken.push(line.slice(0, i))
      broken.push(`${line.slice(0, i)} ${line.slice(i)}`)
      broken.push(`${line.slice(0, i)}\\${line.slice(i)}`)
      broken.push(`${line.slice(0, i)}"${line.slice(i)}`)
    }
    compare("contract", broken)
  })

  it("on the values' edges: money, instants across the zone's changes, BINs, KATO, flags, ids", () => {
    const values: Record<string, ReadonlyArray<unknown>> = {
      contract_sum_wnds: [
        0,
        0.01,
        0.1,
        0.29,
        1.005,
        99999999999.99,
        9999999999999.99,
        1e13,
        123456789012345,
        1234567890123456,
        "0.10",
        "0.100",
        "1.",
        ".5",
        "01",
        "9999999999999",
        "99999999999999",
        1e2,
        -0
      ],
      sign_date: [
        "1900-01-01",
        "1899-12-31",
        "1924-05-01 23:59:59",
        "1991-03-31 02:30:00",
        "2024-02-29 23:30:00",
        "2024-03-01 00:00:00",
        "2024-03-01 00:30:00",
        "2059-12-31 23:59:59",
        "2100-02-29",
        "2023-04-31",
        "2023-01-01 24:00:00",
        "2023-01-01T10:00:00",
        "2023-01-01 10:00",
        // A non-digit as the year's last character: not a date (both scanners once read "302 " as 2020).
        "302 -05-01",
        "999--12-31 10:00:00"
      ],
      customer_bin: ["000740001307", "000740001300", "00074000130a", 740001307, "0007400013077"],
      deleted: [0, 1, 2, "true", "false", "TRUE", 1.0, "1.0"],
      id: [1, 9007199254740991, 999999999999999, 1e3, "12", "012", "0"],
      fin_year: [2023, "2023", -1, "1e3"]
    }
    const lines: Array<string> = []
    for (const [field, options] of Object.entries(values))
      for (const value of options) lines.push(j(contract(9, { [field]: value })))
    // Number shapes JSON.stringify does not write.
    for (const raw of ["1e400", "1E2", "1e-2", "-0", "00", "1.5e1", "2023.0", "0.0"])
      for (const field of ["fin_year", "contract_sum_wnds", "id"])
        lines.push(`${j(contract(9, { [field]: undefined })).slice(0, -1)},"${field}":${raw}}`)
    compare("contract", lines)
    compare(
      "subject",
      ["1", "12", "123456789", "1234567890", 12, 123456789, 1234567890, "7a", 7.5].map((kato) =>
        j({ bin: "000740001307", kato })
      )
    )
  })

  it.effect("on generated datasets, every kind", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "adalqarau-native-")))
      try {
        for (const seed of [11, 12]) {
          yield* writeDataset(dir, generateDataset({ contracts: 800, seed }))
          for (const file of yield* jsonlFolderFiles(dir)) {
            const lines = readFileSync(file.path, "utf8").split("\n")
            if (lines.at(-1) === "") lines.pop()
            assert.isAbove(compare(file.kind, lines), 0, file.path)
          }
        }
      } finally {
        yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
      }
    })
  )

  it.effect("is what the readers use where it is built: the fast path's blocks and the records' lines", () =>
    Effect.gen(function* () {
      // The differential tests pass with either scanner; this one fails if a reader quietly fell back to TypeScript.
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "adalqarau-native-use-")))
      const blocks = vi.spyOn(NativeLineScanner.prototype, "scanLines")
      const lines = vi.spyOn(NativeLineScanner.prototype, "scan")
      try {
        yield* writeDataset(dir, generateDataset({ contracts: 200, seed: 13 }))
        const report = yield* analyzeJsonlFolder(dir, { threads: 0 })
        assert.isAbove(report.input.total.accepted, 0)
        assert.isAbove(blocks.mock.calls.length, 0, "analyze read no block with the native scanner")
        const items = yield* Stream.runCount(jsonlFolderItems(dir))
        assert.isAbove(lines.mock.calls.length, items / 2, "records were not read with the native scanner")
        blocks.mockClear()
        yield* analyzeJsonlFolder(dir, { threads: 0, nativeScanner: false })
        assert.strictEqual(blocks.mock.calls.length, 0, "nativeScanner: false still used it")
      } finally {
        blocks.mockRestore()
        lines.mockRestore()
        yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
      }
    })
  )

  it("stops at the line it cannot vouch for, when the rows are full, and before a line longer than allowed", () => {
    const spec = KIND_SPECS.unit
    const native = NativeLineScanner.of(spec)
    assert.isDefined(native, absence)
    if (native === undefined) return
    const good = (id: number) => j({ id, contract_id: 1, lot_id: 1 })
    const text = `${good(1)}\n\n${good(2)}\n{"id":3,\n${good(4)}\n${good(5)}\n`
    const bytes = Buffer.from(text)
    const rows = new Float64Array(spec.slots * 3)
    native.scanLines(bytes, 0, bytes.length, 1 << 20, rows, 0)
    // Two rows and a blank line, then the broken line is the caller's.
    const broken = text.indexOf('{"id":3')
    assert.deepStrictEqual(Array.from(native.out), [broken, 2, 3, LINE_FOR_CALLER])
    const after = text.indexOf("\n", broken) + 1
    native.scanLines(bytes, after, bytes.length, 1 << 20, rows, 2)
    assert.deepStrictEqual(Array.from(native.out), [text.lastIndexOf(good(5)), 1, 1, ROWS_FULL])
    assert.deepStrictEqual(Array.from(rows), [1, 1, 1, 2, 1, 1, 4, 1, 1])
    native.scanLines(bytes, 0, bytes.length, good(1).length - 1, rows, 0)
    assert.deepStrictEqual(Array.from(native.out), [0, 0, 0, LINE_FOR_CALLER])
  })

  it("reads lines of any length under an infinite limit, and refuses positions that are no byte offset", () => {
    const spec = KIND_SPECS.unit
    const native = NativeLineScanner.of(spec)
    assert.isDefined(native, absence)
    if (native === undefined) return
    const bytes = Buffer.from(`${j({ id: 1, contract_id: 1 })}\n${j({ id: 2, contract_id: 1 })}\n`)
    const rows = new Float64Array(spec.slots * 2)
    // `line` takes an infinite limit as none; converted to an integer in C++ it was undefined (INT64_MIN here).
    native.scanLines(bytes, 0, bytes.length, Number.POSITIVE_INFINITY, rows, 0)
    assert.deepStrictEqual(Array.from(native.out), [bytes.length, 2, 2, ALL_READ])
    native.scanLines(bytes, 0, Number.POSITIVE_INFINITY, 1 << 20, rows, 0)
    assert.deepStrictEqual(Array.from(native.out), [bytes.length, 2, 2, ALL_READ])
    for (const [from, rowIndex] of [
      [Number.NaN, 0],
      [Number.POSITIVE_INFINITY, 0],
      [0, Number.NaN],
      [0, 2 ** 63]
    ] as const) {
      assert.throws(() => native.scanLines(bytes, from, bytes.length, 1 << 20, rows, rowIndex), /scanLines/)
    }
    assert.throws(() => native.scanLines(bytes, 0, bytes.length, Number.NaN, rows, 0), /scanLines/)
  })

  it("refuses a spec whose slots or rules would index outside its arrays, rather than write there", () => {
    const base = KIND_SPECS.unit
    const spec = (slot: number, rule: number) => ({
      ...base,
      fields: base.fields.map((f, i) => (i === 0 ? { ...f, slot, rule } : f))
    })
    assert.throws(
      () => NativeLineScanner.of(spec(base.slots, base.fields[0]?.rule ?? 1)),
      /slot or rule is out of range/
    )
    assert.throws(() => NativeLineScanner.of(spec(0, 99)), /slot or rule is out of range/)
    assert.throws(() => NativeLineScanner.of({ ...base, slots: 2000 }), /slots out of range/)
  })

  it("line by line, on the import's kinds too, whose rows say where each kept text starts and ends", () => {
    const kinds = ["contract", "unit", "lot", "payment"] as const
    const lines: Record<(typeof kinds)[number], ReadonlyArray<string>> = {
      contract: [...ODD_CONTRACTS, ...fc.sample(randomContractLine, { numRuns: 1000, seed: 9 })],
      unit: ODD_UNITS,
      lot: ODD_LOTS,
      payment: ODD_PAYMENTS
    }
    let compared = 0
    for (const kind of kinds) {
      const spec = RECORD_SPECS[kind]
      const typescript = new LineScanner(spec)
      const native = NativeLineScanner.of(spec)
      assert.isDefined(native, absence)
      if (native === undefined) return
      const textSlots = spec.fields.filter((f) => f.rule === TEXT).map((f) => f.slot)
      for (const line of lines[kind]) {
        // Not at the start of the bytes, and with bytes after it: positions are the buffer's, and the line ends at `to`.
        const bytes = Buffer.from(`  ${line}\n{"x"`)
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        const to = 2 + Buffer.byteLength(line)
        const reading = (scanner: LineScanner | NativeLineScanner) => {
          const verdict = scanner.scan(bytes, view, 2, to)
          return {
            verdict,
            row: verdict === ACCEPTED ? Array.from(scanner.row) : [],
            textEnds:
              verdict === ACCEPTED
                ? textSlots.map((slot) => (Number.isNaN(scanner.row[slot]) ? -1 : scanner.textEnd[slot]))
                : []
          }
        }
        assert.deepStrictEqual(reading(native), reading(typescript), `${kind}: ${line}`)
        compared++
      }
    }
    assert.isAbove(compared, 1000)
  })

  it("shares the addon's scanner of a spec between readers, each line read alike however their lines interleave", () => {
    const spec = RECORD_SPECS.contract
    const first = NativeLineScanner.of(spec)
    const second = NativeLineScanner.of(spec)
    assert.isDefined(first, absence)
    if (first === undefined || second === undefined) return
    // A reader per file read: without sharing, a long-running process kept a native scanner per file.
    assert.strictEqual(first.id, second.id)
    const typescript = new LineScanner(spec)
    const lines = fc.sample(randomContractLine, { numRuns: 400, seed: 5 })
    lines.forEach((line, i) => {
      const scanner = i % 3 === 0 ? first : second
      const bytes = Buffer.from(line)
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const verdict = scanner.scan(bytes, view, 0, bytes.length)
      assert.strictEqual(verdict, typescript.scan(bytes, view, 0, bytes.length), line)
      if (verdict === ACCEPTED) assert.deepStrictEqual(Array.from(scanner.row), Array.from(typescript.row), line)
    })
  })

  it("is loaded when first asked for, not when the files module is: a damaged addon then meets only a JSONL read", () => {
    const script = [
      "import { createRequire } from 'node:module'",
      `const files = await import(${JSON.stringify(new URL("../src/files/index.ts", import.meta.url).href)})`,
      "const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.endsWith('lineScanner.node'))",
      "const before = loaded()",
      "const absence = files.nativeScannerAbsence()",
      "console.log(JSON.stringify({ before, after: loaded(), absence: absence ?? null }))"
    ].join("\n")
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })
    assert.strictEqual(child.status, 0, child.stderr)
    const seen = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "") as {
      before: boolean
      after: boolean
      absence: string | null
    }
    assert.isFalse(seen.before)
    assert.strictEqual(seen.after, seen.absence === null)
  })

  it("refuses a line outside the bytes it is given", () => {
    const native = NativeLineScanner.of(RECORD_SPECS.unit)
    assert.isDefined(native, absence)
    if (native === undefined) return
    const bytes = Buffer.from('{"id":1,"contract_id":2}')
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    assert.throws(() => native.scan(bytes, view, 0, bytes.length + 1), /outside its bytes/)
    assert.throws(() => native.scan(bytes, view, 5, 4), /outside its bytes/)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 2 ** 63])
      assert.throws(() => native.scan(bytes, view, bad, bytes.length), /outside its bytes/)
    assert.strictEqual(native.scan(bytes, view, 0, bytes.length), ACCEPTED)
  })
})
