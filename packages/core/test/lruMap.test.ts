import { assert, describe, it } from "@effect/vitest"
import { LruMap } from "../src/caching/LruMap.ts"

describe("LruMap", () => {
  it("keeps at most its capacity, dropping the least recently used entry", () => {
    const map = new LruMap<string, number>(2)
    map.set("a", 1)
    map.set("b", 2)
    assert.strictEqual(map.get("a"), 1) // a is now the most recently used
    map.set("c", 3)
    assert.strictEqual(map.size, 2)
    assert.strictEqual(map.get("b"), undefined)
    assert.strictEqual(map.get("a"), 1)
    assert.strictEqual(map.get("c"), 3)
  })

  it("replaces a value without growing, and forgets on delete and clear", () => {
    const map = new LruMap<string, number>(3)
    map.set("a", 1)
    map.set("a", 2)
    assert.strictEqual(map.size, 1)
    assert.strictEqual(map.get("a"), 2)
    map.set("b", 3)
    map.delete("a")
    assert.strictEqual(map.get("a"), undefined)
    map.clear()
    assert.strictEqual(map.size, 0)
  })

  it("refuses a capacity that is not a positive integer", () => {
    assert.throws(() => new LruMap(0), /positive integer/u)
    assert.throws(() => new LruMap(1.5), /positive integer/u)
  })
})
