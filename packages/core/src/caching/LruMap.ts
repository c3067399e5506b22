/**
 * A map of at most `capacity` entries that forgets the least recently used one first: what a process-local cache
 * needs so that memory stays bounded however many distinct keys arrive. Relies on `Map` keeping insertion order,
 * and re-inserts an entry on every hit so the oldest insertion is always the least recently used.
 */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>()
  readonly capacity: number

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer`)
    this.capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  /** The value, marked as just used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }
}
