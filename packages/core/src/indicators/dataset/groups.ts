import { IdIndex } from "./IdIndex.ts"
import type { KeyedColumns } from "./KeyedColumns.ts"

/**
 * Contract ids as dense slots for per-contract groups: a stored contract's own version index (no second hash table
 * over a million ids), and slots past those for the ids units or payments name without the contract being in the
 * data.
 */
export class ContractSlots {
  private readonly contracts: IdIndex
  private readonly foreign = new IdIndex()

  constructor(contracts: IdIndex) {
    this.contracts = contracts
  }

  get count(): number {
    return this.contracts.size + this.foreign.size
  }

  /** The slot of a contract id, or -1 when nothing names it. */
  get(id: number): number {
    const stored = this.contracts.get(id)
    if (stored >= 0) return stored
    const foreign = this.foreign.get(id)
    return foreign < 0 ? -1 : this.contracts.size + foreign
  }

  slotOrAdd(id: number): number {
    const stored = this.contracts.get(id)
    return stored >= 0 ? stored : this.contracts.size + this.foreign.slotOrInsert(id)
  }
}

/**
 * The distinct lots each contract's units reference, in compressed-row form by contract slot: slot `o` has the lot
 * ids `lots[start[o] .. start[o+1])`, in the order their units were first seen (none: the contract's units name no
 * lot, or it has no units).
 */
export interface LotGroups {
  readonly slots: ContractSlots
  readonly start: Int32Array
  readonly lots: Float64Array
}

const SMALL_GROUP = 32

/** Groups units (a = contract id, b = lot id or NaN) by contract, keeping each lot once. */
export const groupLots = (units: KeyedColumns, contracts: IdIndex): LotGroups => {
  const n = units.count
  const slots = new ContractSlots(contracts)
  const ownerOf = new Int32Array(n)
  for (let u = 0; u < n; u++) {
    const lot = units.b[u] as number
    ownerOf[u] = Number.isNaN(lot) ? -1 : slots.slotOrAdd(units.a[u] as number)
  }
  const count = slots.count
  const start = new Int32Array(count + 1)
  for (let u = 0; u < n; u++) {
    const o = ownerOf[u] as number
    if (o >= 0) start[o + 1]++
  }
  for (let o = 0; o < count; o++) start[o + 1] += start[o] as number
  const fill = start.slice(0, count)
  const lots = new Float64Array(start[count] as number)
  for (let u = 0; u < n; u++) {
    const o = ownerOf[u] as number
    if (o >= 0) lots[fill[o]++] = units.b[u] as number
  }
  // Keep each lot once per contract (P is over distinct lots), compacting every group in place.
  const compactStart = new Int32Array(count + 1)
  let write = 0
  for (let o = 0; o < count; o++) {
    const from = start[o] as number
    const to = start[o + 1] as number
    compactStart[o] = write
    const groupStart = write
    const seen = to - from > SMALL_GROUP ? new Set<number>() : undefined
    for (let r = from; r < to; r++) {
      const lot = lots[r] as number
      let duplicate = false
      if (seen !== undefined) {
        duplicate = seen.has(lot)
        seen.add(lot)
      } else {
        for (let w = groupStart; w < write; w++) {
          if (lots[w] === lot) {
            duplicate = true
            break
          }
        }
      }
      if (!duplicate) lots[write++] = lot
    }
  }
  compactStart[count] = write
  return { slots, start: compactStart, lots: lots.subarray(0, write) }
}

/** The earliest payment date per contract slot (NaN: no payment). */
export interface PaymentGroups {
  readonly slots: ContractSlots
  readonly first: Float64Array
}

/** Groups payments (a = contract id, b = pay date) by contract, keeping the earliest date. */
export const groupPayments = (payments: KeyedColumns, contracts: IdIndex): PaymentGroups => {
  const n = payments.count
  const slots = new ContractSlots(contracts)
  const ownerOf = new Int32Array(n)
  for (let p = 0; p < n; p++) ownerOf[p] = slots.slotOrAdd(payments.a[p] as number)
  const first = new Float64Array(slots.count).fill(Number.NaN)
  for (let p = 0; p < n; p++) {
    const o = ownerOf[p] as number
    const date = payments.b[p] as number
    if (!(date >= (first[o] as number))) first[o] = date
  }
  return { slots, first }
}
