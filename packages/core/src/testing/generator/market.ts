import { REGIONS, type RegionCode } from "../../domain/Region.ts"
import type { Prng } from "./prng.ts"
import { type SubjectRef, subjectRef } from "./subjects.ts"

/**
 * Who buys from whom in the background. Customer sizes follow a Pareto law and supplier popularity a Zipf law, so
 * a few customers and suppliers hold many contracts and most hold few. The supplier pool is split into 20 regional
 * slices; a customer mostly buys from its own region's slice, where the slice's first suppliers are the popular
 * ones.
 *
 * No background pair can reach the partnership indicator: a customer signs at most `MAX_PAIR_CONTRACTS` contracts
 * with any one supplier — one below the indicator's default minimum of 5 — whatever the shares.
 */
export const MAX_PAIR_CONTRACTS = 4

/** Contracts per background supplier on average; goszakup has ~14.5 M contracts over ~800 k suppliers. */
const CONTRACTS_PER_SUPPLIER = 18
const MIN_POOL = 64
const ZIPF_EXPONENT = 1.15
/** The largest customer; it stays under the pool size so that the pair cap can always be met. */
const MAX_CUSTOMER_CONTRACTS = 50_000
const PARETO_MIN = 10
const PARETO_ALPHA = 1.1
/** Share of a customer's contracts given to suppliers outside its region's slice. */
const OUT_OF_REGION = 0.25

export const supplierPoolSize = (chains: number): number =>
  Math.max(MIN_POOL, Math.ceil(chains / CONTRACTS_PER_SUPPLIER))

export class SupplierPool {
  readonly size: number
  private readonly zipfTop: number

  constructor(size: number) {
    this.size = size
    this.zipfTop = (size + 1) ** (1 - ZIPF_EXPONENT) - 1
  }

  /** A popularity rank, 0 the most popular (inverse CDF of a continuous power law). */
  drawRank(prng: Prng): number {
    const x = (1 + prng.next() * this.zipfTop) ** (1 / (1 - ZIPF_EXPONENT))
    return Math.min(this.size - 1, Math.max(0, Math.floor(x) - 1))
  }

  sliceStart(regionIndex: number): number {
    return Math.floor((regionIndex * this.size) / REGIONS.length)
  }

  regionOf(index: number): RegionCode {
    return (REGIONS[Math.min(REGIONS.length - 1, Math.floor((index * REGIONS.length) / this.size))] ?? REGIONS[0]).code
  }

  /** The most contracts one background customer may hold. */
  get maxCustomerContracts(): number {
    return Math.min(MAX_CUSTOMER_CONTRACTS, this.size)
  }

  /** Draws a customer's number of contracts (before the caller truncates it to what is left). */
  drawCustomerSize(prng: Prng): number {
    const size = Math.floor(PARETO_MIN * (1 - prng.next()) ** (-1 / PARETO_ALPHA)) - PARETO_MIN + 1
    return Math.min(this.maxCustomerContracts, size)
  }
}

/**
 * One background customer's choice of suppliers, keeping every pair at most `MAX_PAIR_CONTRACTS`. A draw that
 * lands on a supplier the customer has used up moves on to the next one in popularity order, so large customers
 * spread over the popular suppliers first and the pool stays skewed.
 */
export class CustomerSuppliers {
  private readonly counts = new Map<number, number>()
  private readonly pool: SupplierPool
  private readonly prng: Prng
  private readonly bases: readonly [number, number]
  /** Per base, an offset below which every supplier is used up: walks start there, not at the top. */
  private readonly frontiers: [number, number] = [0, 0]

  constructor(pool: SupplierPool, prng: Prng, regionIndex: number) {
    this.pool = pool
    this.prng = prng
    this.bases = [pool.sliceStart(regionIndex), prng.int(0, pool.size - 1)]
  }

  pick(): SubjectRef {
    const { pool, prng } = this
    const which = prng.chance(OUT_OF_REGION) ? 1 : 0
    const base = this.bases[which]
    // A customer holds at most `pool.size` contracts, so three quarters of the pool stay open and the walk ends.
    let offset = Math.max(pool.drawRank(prng), this.frontiers[which])
    while (!this.take((base + offset) % pool.size)) offset++
    let frontier = this.frontiers[which]
    while (frontier < pool.size && this.isUsedUp((base + frontier) % pool.size)) frontier++
    this.frontiers[which] = frontier
    return subjectRef("supplier", (base + offset) % pool.size)
  }

  private isUsedUp(index: number): boolean {
    return (this.counts.get(index) ?? 0) >= MAX_PAIR_CONTRACTS
  }

  private take(index: number): boolean {
    const n = this.counts.get(index) ?? 0
    if (n >= MAX_PAIR_CONTRACTS) return false
    this.counts.set(index, n + 1)
    return true
  }
}
