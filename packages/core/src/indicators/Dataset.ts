import type { Contract, ProcurementRecord } from "../domain/Contract.ts"
import { isRootContract } from "../domain/Contract.ts"
import { compareChainOrder } from "../domain/ContractChain.ts"
import { type RegionCode, regionOfKato } from "../domain/Region.ts"
import { addTiyn } from "../domain/Money.ts"

/**
 * What the indicators need of one contract version — nothing more, so that millions of versions fit in memory.
 * Descriptions, bank details and the like are not kept.
 */
export interface ContractFacts {
  readonly id: number
  readonly parentId: number | null
  readonly rootId: number | null
  readonly isRoot: boolean
  readonly statusId: number | null
  readonly typeId: number | null
  readonly yearTypeId: number | null
  readonly deleted: boolean
  readonly crdate: number
  readonly signDate: number | null
  readonly lastUpdateDate: number | null
  readonly customerBin: string | null
  readonly supplierBin: string | null
  readonly sumWnds: number | null
  readonly faktSumWnds: number | null
  readonly finYear: number | null
}

/** A chain as the indicators see it: its key (the root id), the root when present, and versions in chain order. */
export interface ChainView {
  readonly key: number
  readonly root: ContractFacts | undefined
  /** Every version of the chain, deleted ones included, in no particular order. */
  readonly members: ReadonlyArray<ContractFacts>
  /** Non-deleted versions in chain order: (`sign_date`, `crdate`, `id`), missing sign dates last. */
  readonly versions: ReadonlyArray<ContractFacts>
}

const factsOf = (c: Contract): ContractFacts => ({
  id: c.id,
  parentId: c.parentId,
  rootId: c.rootId,
  isRoot: isRootContract(c),
  statusId: c.statusId,
  typeId: c.typeId,
  yearTypeId: c.yearTypeId,
  deleted: c.deleted,
  crdate: c.crdate,
  signDate: c.signDate,
  lastUpdateDate: c.lastUpdateDate,
  customerBin: c.customerBin,
  supplierBin: c.supplierBin,
  sumWnds: c.contractSumWnds,
  faktSumWnds: c.faktSumWnds,
  finYear: c.finYear
})

/** Newer `last_update_date` wins; on a tie (or none) the later record wins, as a re-export would. */
const supersedes = (incoming: ContractFacts, existing: ContractFacts): boolean =>
  (incoming.lastUpdateDate ?? Number.NEGATIVE_INFINITY) >= (existing.lastUpdateDate ?? Number.NEGATIVE_INFINITY)

/**
 * Accumulates records (in any order, as they stream in) into the compact indexes the indicators use.
 * Duplicates are resolved as a store would: a contract or a lot by newest `last_update_date` (the later record on a
 * tie), a unit, a payment or a subject by its key, the later record winning.
 */
export class DatasetBuilder {
  private readonly contracts = new Map<number, ContractFacts>()
  // Units and payments are kept by id, as a store keys them: a re-exported unit whose lot changed, or a payment
  // whose date was corrected, replaces its earlier version instead of adding to it.
  private readonly units = new Map<number, { readonly contractId: number; readonly lotId: number | null }>()
  private readonly lotAmount = new Map<number, { amount: number; lastUpdateDate: number | null }>()
  private readonly payments = new Map<number, { readonly contractId: number; readonly payDate: number }>()
  private readonly regionOfBin = new Map<string, RegionCode | null>()

  add(record: ProcurementRecord): void {
    switch (record.kind) {
      case "contract": {
        const facts = factsOf(record.value)
        const existing = this.contracts.get(facts.id)
        if (existing === undefined || supersedes(facts, existing)) this.contracts.set(facts.id, facts)
        return
      }
      case "unit": {
        const unit = record.value
        this.units.set(unit.id, { contractId: unit.contractId, lotId: unit.lotId })
        return
      }
      case "lot": {
        const lot = record.value
        const existing = this.lotAmount.get(lot.id)
        if (
          existing === undefined ||
          (lot.lastUpdateDate ?? Number.NEGATIVE_INFINITY) >= (existing.lastUpdateDate ?? Number.NEGATIVE_INFINITY)
        ) {
          this.lotAmount.set(lot.id, { amount: lot.amount, lastUpdateDate: lot.lastUpdateDate })
        }
        return
      }
      case "payment": {
        const payment = record.value
        this.payments.set(payment.id, { contractId: payment.contractId, payDate: payment.payDate })
        return
      }
      case "subject": {
        const subject = record.value
        this.regionOfBin.set(subject.bin, subject.kato === null ? null : (regionOfKato(subject.kato) ?? null))
        return
      }
      case "ref":
        return
    }
  }

  get contractCount(): number {
    return this.contracts.size
  }

  build(): AnalysisDataset {
    const lotsOfContract = new Map<number, Set<number>>()
    for (const unit of this.units.values()) {
      if (unit.lotId === null) continue
      const lots = lotsOfContract.get(unit.contractId)
      if (lots === undefined) lotsOfContract.set(unit.contractId, new Set([unit.lotId]))
      else lots.add(unit.lotId)
    }
    const firstPayDate = new Map<number, number>()
    for (const payment of this.payments.values()) {
      const current = firstPayDate.get(payment.contractId)
      if (current === undefined || payment.payDate < current) firstPayDate.set(payment.contractId, payment.payDate)
    }
    return new AnalysisDataset(this.contracts, lotsOfContract, this.lotAmount, firstPayDate, this.regionOfBin)
  }
}

const MAX_PARENT_WALK = 10_000

/** The indexed, read-only view the indicators evaluate. */
export class AnalysisDataset {
  readonly chains: ReadonlyArray<ChainView>

  readonly contracts: ReadonlyMap<number, ContractFacts>
  private readonly lotsOfContract: ReadonlyMap<number, ReadonlySet<number>>
  private readonly lotAmount: ReadonlyMap<number, { readonly amount: number }>
  private readonly firstPayDateOf: ReadonlyMap<number, number>
  private readonly regionOfBin: ReadonlyMap<string, RegionCode | null>

  constructor(
    contracts: ReadonlyMap<number, ContractFacts>,
    lotsOfContract: ReadonlyMap<number, ReadonlySet<number>>,
    lotAmount: ReadonlyMap<number, { readonly amount: number }>,
    firstPayDateOf: ReadonlyMap<number, number>,
    regionOfBin: ReadonlyMap<string, RegionCode | null>
  ) {
    this.contracts = contracts
    this.lotsOfContract = lotsOfContract
    this.lotAmount = lotAmount
    this.firstPayDateOf = firstPayDateOf
    this.regionOfBin = regionOfBin
    this.chains = this.groupChains()
  }

  /**
   * The chain a version belongs to: its `root_id` when given; otherwise the top of its `parent_id` line (a
   * version with neither is its own root). A parent missing from the data ends the walk at that parent's id.
   */
  chainKeyOf(c: ContractFacts): number {
    if (c.rootId !== null) return c.rootId
    let current = c
    for (let steps = 0; steps < MAX_PARENT_WALK; steps++) {
      if (current.parentId === null) return current.id
      const parent = this.contracts.get(current.parentId)
      if (parent === undefined) return current.parentId
      if (parent.rootId !== null) return parent.rootId
      current = parent
    }
    return current.id
  }

  private groupChains(): ReadonlyArray<ChainView> {
    // Most chains are a lone root: keep those as the bare facts and allocate arrays only for real chains.
    const byKey = new Map<number, ContractFacts | Array<ContractFacts>>()
    for (const c of this.contracts.values()) {
      const key = this.chainKeyOf(c)
      const existing = byKey.get(key)
      if (existing === undefined) byKey.set(key, c)
      else if (Array.isArray(existing)) existing.push(c)
      else byKey.set(key, [existing, c])
    }
    const chains: Array<ChainView> = []
    for (const [key, group] of byKey) {
      const stored = this.contracts.get(key)
      const root = stored?.isRoot ? stored : undefined
      if (Array.isArray(group)) {
        const versions = group.filter((m) => !m.deleted)
        versions.sort(compareChainOrder)
        chains.push({ key, root, members: group, versions })
      } else {
        const members = [group]
        chains.push({ key, root, members, versions: group.deleted ? [] : members })
      }
    }
    return chains
  }

  /**
   * P: the sum of `amount` over the distinct lots the contract's units reference. Undefined when the contract has
   * no units with lots, or when any referenced lot is missing (a partial sum would understate P).
   */
  planSum(contractId: number): number | undefined {
    const lots = this.lotsOfContract.get(contractId)
    if (lots === undefined || lots.size === 0) return undefined
    let sum = 0
    for (const lotId of lots) {
      const lot = this.lotAmount.get(lotId)
      if (lot === undefined) return undefined
      sum = addTiyn(sum, lot.amount)
    }
    return sum
  }

  /** The earliest payment date over every version of a chain (deleted versions' payments count: money moved). */
  firstPayDate(chain: ChainView): number | undefined {
    let first = this.firstPayDateOf.get(chain.key)
    for (const v of chain.members) {
      const d = this.firstPayDateOf.get(v.id)
      if (d !== undefined && (first === undefined || d < first)) first = d
    }
    return first
  }

  regionOf(bin: string): RegionCode | null {
    return this.regionOfBin.get(bin) ?? null
  }
}
