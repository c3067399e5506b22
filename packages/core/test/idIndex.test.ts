import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { IdIndex } from "../src/indicators/dataset/IdIndex.ts"

/** The dataset's id index must number keys exactly as a Map would, whether it runs as a direct table or hashes. */
const checkAgainstMap = (keys: ReadonlyArray<number>, expected: number): void => {
  const index = new IdIndex(expected)
  const reference = new Map<number, number>()
  for (const key of keys) {
    const known = reference.get(key)
    const slot = index.slotOrInsert(key)
    if (known === undefined) {
      assert.isTrue(index.inserted, `inserted ${key}`)
      assert.strictEqual(slot, reference.size)
      reference.set(key, slot)
    } else {
      assert.isFalse(index.inserted, `found ${key}`)
      assert.strictEqual(slot, known)
    }
  }
  assert.strictEqual(index.size, reference.size)
  for (const [key, slot] of reference) {
    assert.strictEqual(index.get(key), slot)
    assert.strictEqual(index.keyAt(slot), key)
  }
  const highest = keys.reduce((a, b) => Math.max(a, b))
  const lowest = keys.reduce((a, b) => Math.min(a, b))
  for (const absent of [highest + 1, lowest - 1, 0.5, Number.NaN, 2 ** 52]) {
    if (!reference.has(absent)) assert.strictEqual(index.get(absent), -1, `absent ${absent}`)
  }
}

const sequence = (start: number, gaps: ReadonlyArray<number>): Array<number> => {
  let id = start
  return gaps.map((gap) => {
    id += gap
    return id
  })
}

describe("IdIndex", () => {
  it("numbers increasing id sequences with gaps (a direct table), shuffled locally and repeated", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 2 ** 40 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 0, max: 5000 }),
        (start, gaps, expected) => {
          const ids = sequence(start, gaps)
          const shuffled = ids.map((id, i) => ids[i % 7 === 0 && i + 3 < ids.length ? i + 3 : i] ?? id)
          checkAgainstMap([...shuffled, ...ids, ...ids.slice().reverse()], expected)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("numbers decreasing and far-apart keys (switching to hashing mid-way)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 2 ** 45 })), {
          minLength: 1,
          maxLength: 2000
        }),
        (keys) => checkAgainstMap([...keys, ...keys], 0)
      ),
      { numRuns: 200 }
    )
    checkAgainstMap(
      sequence(
        10_000_000,
        Array.from({ length: 200_000 }, () => 2)
      ).reverse(),
      200_000
    )
    checkAgainstMap(
      [
        ...sequence(
          0,
          Array.from({ length: 100_000 }, () => 1)
        ),
        10 ** 12,
        5,
        -7
      ],
      0
    )
  })
})
