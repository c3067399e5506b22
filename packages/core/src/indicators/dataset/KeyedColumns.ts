import { grownF64 } from "./columns.ts"
import { IdIndex } from "./IdIndex.ts"
import { supersedes } from "./ContractColumns.ts"

/**
 * Units, lots and payments: records kept by their id with two numeric facts each (NaN for null). A unit or a
 * payment read again replaces the earlier one; a lot only when its `last_update_date` is as new (see `putNewer`).
 */
export class KeyedColumns {
  readonly index: IdIndex
  private capacity: number
  a: Float64Array
  b: Float64Array

  constructor(expected = 1024) {
    this.capacity = Math.max(16, expected)
    this.index = new IdIndex(this.capacity)
    this.a = new Float64Array(this.capacity)
    this.b = new Float64Array(this.capacity)
  }

  get count(): number {
    return this.index.size
  }

  /** Makes room for `count` records in all. */
  reserve(count: number): void {
    this.index.reserve(count)
    if (this.capacity < count) this.grow(count)
  }

  /** Stores the record; a record with the same id replaces it. */
  put(id: number, a: number, b: number): void {
    const i = this.index.slotOrInsert(id)
    if (i >= this.capacity) this.grow(this.capacity * 2)
    this.a[i] = a
    this.b[i] = b
  }

  /** Stores the record unless the stored one has a newer `b` (a `last_update_date`). */
  putNewer(id: number, a: number, b: number): void {
    const i = this.index.slotOrInsert(id)
    if (!this.index.inserted && !supersedes(b, this.b[i] as number)) return
    if (i >= this.capacity) this.grow(this.capacity * 2)
    this.a[i] = a
    this.b[i] = b
  }

  private grow(capacity: number): void {
    this.capacity = capacity
    this.a = grownF64(this.a, this.capacity)
    this.b = grownF64(this.b, this.capacity)
  }
}
