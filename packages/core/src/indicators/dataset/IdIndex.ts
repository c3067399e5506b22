/**
 * A hash index from integer keys (ids, BIN codes) to dense slots 0, 1, 2, … in first-insertion order. Open
 * addressing over typed arrays: millions of keys cost two flat arrays instead of a Map entry (and a boxed number
 * for keys past 2^31) each, which is what kept the old dataset slow to build on machines where allocation is dear.
 */
const EMPTY = -0.5 // never an integer key
const MIN_CAPACITY = 16
/**
 * Highest share of used entries: linear probes stay short below it, and fresh memory is dear here (the first touch
 * of a page costs microseconds on these virtual machines), so the table is not kept emptier than that.
 */
const MAX_LOAD = 0.7

/** Spreads an integer key (any safe integer) over 32 bits. */
const hashOf = (key: number): number => {
  const lo = key >>> 0
  const hi = Math.floor(key / 4294967296) | 0
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) ^ (lo >>> 15)
}

export class IdIndex {
  private keys: Float64Array
  private slots: Int32Array
  private mask: number
  /** Keys by slot, in insertion order. */
  private ordered: Float64Array
  private count = 0
  /** Whether the last `slotOrInsert` call added its key. */
  inserted = false

  constructor(expected = 0) {
    let capacity = MIN_CAPACITY
    while (capacity * MAX_LOAD < expected) capacity *= 2
    this.keys = new Float64Array(capacity).fill(EMPTY)
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    this.ordered = new Float64Array(Math.max(MIN_CAPACITY, expected))
  }

  /** Makes room for `count` keys in all without rehashing on the way. */
  reserve(count: number): void {
    if (count > this.ordered.length) {
      const grown = new Float64Array(count)
      grown.set(this.ordered)
      this.ordered = grown
    }
    let capacity = this.keys.length
    while (count > capacity * MAX_LOAD) capacity *= 2
    // One rehash straight to the final size: fresh pages are dear here, and every doubling on the way is a copy.
    if (capacity > this.keys.length) this.rehash(capacity)
  }

  get size(): number {
    return this.count
  }

  /** The key of a slot. */
  keyAt(slot: number): number {
    return this.ordered[slot] as number
  }

  /** The slot of a key, or -1. */
  get(key: number): number {
    const keys = this.keys
    let i = hashOf(key) & this.mask
    for (;;) {
      const k = keys[i] as number
      if (k === key) return this.slots[i] as number
      if (k === EMPTY) return -1
      i = (i + 1) & this.mask
    }
  }

  /** The slot of a key, adding the key at the next slot when it is new (`inserted` tells which). */
  slotOrInsert(key: number): number {
    const keys = this.keys
    let i = hashOf(key) & this.mask
    for (;;) {
      const k = keys[i] as number
      if (k === key) {
        this.inserted = false
        return this.slots[i] as number
      }
      if (k === EMPTY) break
      i = (i + 1) & this.mask
    }
    const slot = this.count++
    keys[i] = key
    this.slots[i] = slot
    if (slot >= this.ordered.length) {
      const grown = new Float64Array(this.ordered.length * 2)
      grown.set(this.ordered)
      this.ordered = grown
    }
    this.ordered[slot] = key
    this.inserted = true
    if (this.count > this.keys.length * MAX_LOAD) this.rehash(this.keys.length * 2)
    return slot
  }

  private rehash(capacity: number): void {
    const keys = new Float64Array(capacity).fill(EMPTY)
    const slots = new Int32Array(capacity)
    const mask = capacity - 1
    for (let slot = 0; slot < this.count; slot++) {
      const key = this.ordered[slot] as number
      let i = hashOf(key) & mask
      while (keys[i] !== EMPTY) i = (i + 1) & mask
      keys[i] = key
      slots[i] = slot
    }
    this.keys = keys
    this.slots = slots
    this.mask = mask
  }
}
