import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import {
  binCodeAt,
  binCodeOfBytes,
  decimalTiynAt,
  decimalTiynOfBytes,
  wallClockAt,
  wallClockOfBytes
} from "../src/sources/ows/lexical.ts"
import { completeBin, parseTenge, parseTimestamp, fromAlmatyWallClock } from "../src/index.ts"

/**
 * The JSONL fast path reads values with the byte forms of the lexical readers; the decoders use the string forms.
 * They must agree on every input, and agree with the decoders wherever they accept.
 */
const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)

const fromAlphabet = (alphabet: string, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(""))

describe("lexical readers: bytes = text", () => {
  it("wall-clock times", () => {
    const samples = [
      "2024-02-29",
      "2023-02-29",
      "2023-03-14 10:20:30",
      "2023-03-14T23:59:59",
      "1899-12-31",
      "2023-3-14",
      "302 -05-01",
      "297x-01-01 10:00:00",
      "999--12-31"
    ]
    const random = fc.oneof(
      fromAlphabet("0123456789-: T", 20),
      fc
        .date({ min: new Date(1890, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 19).replace("T", " "))
    )
    for (const text of [...samples, ...fc.sample(random, { numRuns: 3000, seed: 7 })]) {
      const wall = wallClockAt(text, 0, text.length)
      assert.strictEqual(wallClockOfBytes(bytes(text), 0, text.length), wall, text)
      if (wall >= 0) {
        assert.match(text, /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2})?$/u)
        assert.strictEqual(parseTimestamp(text), fromAlmatyWallClock(wall), text)
      }
    }
  })

  it("BINs", () => {
    const valid = fc.sample(fromAlphabet("0123456789", 11), { numRuns: 2000, seed: 8 }).flatMap((d) => {
      const bin = completeBin(d.padStart(11, "0"))
      return bin === undefined ? [] : [bin]
    })
    const random = fc.sample(fromAlphabet("0123456789a", 12), { numRuns: 2000, seed: 9 }).filter((t) => t.length === 12)
    for (const text of [...valid, ...random]) {
      const code = binCodeAt(text, 0)
      assert.strictEqual(binCodeOfBytes(bytes(text), 0), code, text)
      if (code >= 0) assert.strictEqual(String(code).padStart(12, "0"), text)
    }
  })

  it("decimal amounts", () => {
    const samples = [
      "0",
      "1.5",
      "1.50",
      "1.500",
      "1.505",
      "12.",
      ".5",
      "00012.30",
      "9999999999999.99",
      "99999999999999"
    ]
    for (const text of [...samples, ...fc.sample(fromAlphabet("0123456789.", 18), { numRuns: 3000, seed: 10 })]) {
      const tiyn = decimalTiynAt(text, 0, text.length)
      assert.strictEqual(decimalTiynOfBytes(bytes(text), 0, text.length), tiyn, text)
      if (tiyn >= 0) assert.strictEqual(parseTenge(text) as number, tiyn, text)
    }
  })
})
