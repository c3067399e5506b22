import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { compareCodePoints } from "../src/domain/codePointOrder.ts"

/** The order PostgreSQL's "C" collation gives: the strings' UTF-8 bytes compared. */
const byUtf8 = (a: string, b: string): number => {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}

describe("compareCodePoints", () => {
  it("orders as UTF-8 bytes do, unlike UTF-16 units beyond U+FFFF", () => {
    assert.isBelow(compareCodePoints("\uFFFD", "\u{10000}"), 0)
    // UTF-16 code units put the surrogate pair first.
    const units: ReadonlyArray<string> = ["\uFFFD", "\u{10000}"]
    assert.deepStrictEqual([...units].sort(), ["\u{10000}", "\uFFFD"])
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        return Math.sign(compareCodePoints(a, b)) === Math.sign(byUtf8(a, b))
      }),
      { numRuns: 2000 }
    )
  })
})
