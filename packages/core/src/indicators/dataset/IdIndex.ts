/**
 * An index from integer keys (ids, BIN codes) to dense slots 0, 1, 2, … in first-insertion order, over typed
 * arrays: millions of keys cost flat arrays instead of a Map entry (and a boxed number past 2^31) each.
 *
 * Record ids are sequences (goszakup's, as any database's: increasing, with small gaps), so while the keys stay
 * within a few times their count of each other the index is a direct table, slot by `key − base`: no hashing, and
 * keys read in file order touch the table in order — at a million contracts the random probes of a hash table
 * were most of the time spent inserting rows. Keys too spread out for that (BIN codes, pair keys) switch the index
 * to open addressing.
 */
const EMPTY = -0.5 // never an integer key
const MIN_CAPACITY = 16
/**
 * Highest share of used entries: linear probes stay short below it, and fresh memory is dear here (the first touch
 * of a page costs microseconds on these virtual machines), so the table is not kept emptier than that.
 */
const MAX_LOAD = 0.7
/** A direct table may span this many times the keys it holds (plus `DIRECT_SLACK`) before hashing takes over. */
const DIRECT_FACTOR = 3
const DIRECT_SLACK = 1 << 16

/** Spreads an integer key (any safe integer) over 32 bits. */
const hashOf = (key: number): number => {
  const lo = key >>> 0
  const hi = Math.floor(key / 4294967296) | 0
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) ^ (lo >>> 15)
}

export class IdIndex {
  /** Direct mode: slot + 1 of key `base + i` at `i` (0: absent). Undefined once hashing. */
  private direct: Int32Array | undefined = new Int32Array(0)
  private base = 0
  // Hash mode: open addressing, key and slot per entry.
  private keys: Float64Array = new Float64Array(0)
  private slots: Int32Array = new Int32Array(0)
  private mask = 0
  /** Keys by slot, in insertion order. */
  private ordered: Float64Array
  private count = 0
  /** How many keys the owner expects (sizes the tables). */
  private expected: number
  /** Whether the last `slotOrInsert` call added its key. */
  inserted = false

  constructor(expected = 0) {
    this.expected = expected
    this.ordered = new Float64Array(Math.max(MIN_CAPACITY, expected))
  }

  /** Makes room for `count` keys in all without regrowing on the way. */
  reserve(count: number): void {
    if (count > this.ordered.length) {
      const grown = new Float64Array(count)
      grown.set(this.ordered)
      this.ordered = grown
    }
    this.expected = Math.max(this.expected, count)
    if (this.direct !== undefined) return
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
    const direct = this.direct
    if (direct !== undefined) {
      const at = key - this.base
      // A key off the table (or not an integer) is absent.
      return ((direct[at] as number | undefined) ?? 0) - 1
    }
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
    if (this.direct !== undefined) {
      let at = key - this.base
      if (!(at >= 0 && at < this.direct.length) || !Number.isInteger(at)) {
        this.cover(key)
        at = key - this.base
      }
      const direct = this.direct
      if (direct !== undefined) {
        const stored = direct[at] as number
        if (stored !== 0) {
          this.inserted = false
          return stored - 1
        }
        const slot = this.append(key)
        direct[at] = slot + 1
        return slot
      }
    }
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
    const slot = this.append(key)
    keys[i] = key
    this.slots[i] = slot
    if (this.count > this.keys.length * MAX_LOAD) this.rehash(this.keys.length * 2)
    return slot
  }

  private append(key: number): number {
    const slot = this.count++
    if (slot >= this.ordered.length) {
      const grown = new Float64Array(this.ordered.length * 2)
      grown.set(this.ordered)
      this.ordered = grown
    }
    this.ordered[slot] = key
    this.inserted = true
    return slot
  }

  /** Widens the direct table to hold `key`, or switches to hashing when the keys are too spread out for one. */
  private cover(key: number): void {
    const direct = this.direct as Int32Array
    const low = this.count === 0 ? key : Math.min(this.base, key)
    const high = this.count === 0 ? key + 1 : Math.max(this.base + direct.length, key + 1)
    const limit = DIRECT_FACTOR * Math.max(this.count + 1, this.expected) + DIRECT_SLACK
    if (!Number.isSafeInteger(key) || high - low > limit) {
      this.toHash()
      return
    }
    // Room to grow on the side the keys are going, so that a sequence does not regrow the table at every step;
    // pages of it never written are never touched, so being generous costs address space only.
    const required = high - low
    const first = this.count === 0 ? 2 * this.expected : 0
    const span = Math.min(limit, Math.max(required + DIRECT_SLACK, 2 * required, first))
    const base = this.count === 0 ? key - (span >> 3) : key < this.base ? high - span : low
    const grown = new Int32Array(span)
    if (this.count > 0) grown.set(direct, this.base - base)
    this.direct = grown
    this.base = base
  }

  private toHash(): void {
    this.direct = undefined
    let capacity = MIN_CAPACITY
    while (Math.max(this.count + 1, this.expected) > capacity * MAX_LOAD) capacity *= 2
    this.rehash(capacity)
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
