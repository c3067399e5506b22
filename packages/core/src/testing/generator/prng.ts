/**
 * The generator's own pseudo-random source: sfc32 (Chris Doty-Humphrey's small fast counter), seeded through
 * splitmix32. `Math.random` is never used, so one seed gives the same dataset on every machine and Node version.
 */
const splitmix32 = (state: { s: number }): number => {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

const TWO_POW_32 = 4_294_967_296

export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  /** `seed` must be a safe integer; its high and low 32 bits both feed the state. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`)
    const low = seed >>> 0
    const high = Math.floor(seed / TWO_POW_32) >>> 0
    const state = { s: low ^ Math.imul(high, 0x27d4eb2d) }
    this.a = splitmix32(state)
    this.b = splitmix32(state)
    this.c = splitmix32(state) ^ high
    this.d = 1
    // The first outputs of sfc32 still echo the seed; the reference implementation discards them.
    for (let i = 0; i < 15; i++) this.uint32()
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1) with 32 random bits. */
  next(): number {
    return this.uint32() / TWO_POW_32
  }

  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)]
  }

  /** An integer in [lo, hi] whose logarithm is uniform: many small values, few large ones. */
  logUniformInt(lo: number, hi: number): number {
    const value = Math.floor(Math.exp(Math.log(lo) + this.next() * (Math.log(hi + 1) - Math.log(lo))))
    return Math.min(hi, Math.max(lo, value))
  }
}

/** A fixed weighted choice, prepared once: values and cumulative weights. */
export class WeightedTable<A> {
  private readonly values: ReadonlyArray<A>
  private readonly cumulative: ReadonlyArray<number>
  private readonly total: number

  constructor(choices: ReadonlyArray<readonly [A, number]>) {
    if (choices.length === 0) throw new RangeError("a weighted table needs at least one choice")
    let total = 0
    const cumulative: Array<number> = []
    for (const [, weight] of choices) {
      total += weight
      cumulative.push(total)
    }
    this.values = choices.map(([value]) => value)
    this.cumulative = cumulative
    this.total = total
  }

  draw(prng: Prng): A {
    const x = prng.next() * this.total
    const last = this.values.length - 1
    for (let i = 0; i < last; i++) if (x < this.cumulative[i]) return this.values[i]
    return this.values[last]
  }
}
