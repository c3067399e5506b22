import type { IdAllocator } from "./ids.ts"
import type { Prng } from "./prng.ts"

/** The calendar days contracts are created in: `days` days from `firstDay` (day numbers, see calendar.ts). */
export interface TimeSpan {
  readonly firstDay: number
  readonly days: number
}

/** What every part of the generator draws from: the one random source, the id sequences and the time span. */
export interface GenContext {
  readonly prng: Prng
  readonly ids: IdAllocator
  readonly span: TimeSpan
}
