import type { Contract, ProcurementRecord } from "../domain/Contract.ts"
import { type RegionCode, regionOfKato } from "../domain/Region.ts"
import { BinTable } from "./dataset/BinTable.ts"
import { type ChainTable, chainKeyAt, groupChains } from "./dataset/chains.ts"
import {
  ContractColumns,
  type ContractColumnsView,
  type ContractRow,
  emptyContractRow
} from "./dataset/ContractColumns.ts"
import { nullIfNaN, orNaN } from "./dataset/columns.ts"
import { groupLots, groupPayments, type LotGroups, type PaymentGroups } from "./dataset/groups.ts"
import { KeyedColumns } from "./dataset/KeyedColumns.ts"

// The types of the dataset's public fields, so custom indicators can name them (the classes are not for constructing).
export type { BinTable } from "./dataset/BinTable.ts"
export type { ChainTable } from "./dataset/chains.ts"
export type { ContractColumnsView, ReadonlyColumn } from "./dataset/ContractColumns.ts"
export type { LotGroups, PaymentGroups } from "./dataset/groups.ts"
export type { KeyedColumns } from "./dataset/KeyedColumns.ts"
export type { ContractRow } from "./dataset/ContractColumns.ts"
export { emptyContractRow } from "./dataset/ContractColumns.ts"

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
  /** Non-deleted versions in chain order: the root first, then (`sign_date`, `crdate`, `id`), missing sign dates last. */
  readonly versions: ReadonlyArray<ContractFacts>
}

/** Sizes a source expects, so the builder's columns start big enough (a hint; they grow as needed). */
export interface DatasetSizeHint {
  readonly contracts?: number
  readonly units?: number
  readonly lots?: number
  readonly payments?: number
}

/**
 * Accumulates records (in any order, as they stream in) into the compact columns the indicators use.
 * Duplicates are resolved as a store would: a contract or a lot by newest `last_update_date` (the later record on a
 * tie), a unit, a payment or a subject by its key, the later record winning.
 *
 * `add` takes decoded records; sources that decode without building record objects (the JSONL fast path) use
 * the `add…Row` methods with the same rules. Build once, when every record is in.
 */
export class DatasetBuilder {
  private readonly contracts: ContractColumns
  // Units and payments are kept by id, as a store keys them: a re-exported unit whose lot changed, or a payment
  // whose date was corrected, replaces its earlier version instead of adding to it.
  private readonly units: KeyedColumns // a = contract id, b = lot id
  private readonly lots: KeyedColumns // a = amount, b = last_update_date
  private readonly payments: KeyedColumns // a = contract id, b = pay date
  private readonly bins = new BinTable()
  private readonly row: ContractRow = emptyContractRow()

  constructor(hint: DatasetSizeHint = {}) {
    this.contracts = new ContractColumns()
    this.units = new KeyedColumns()
    this.lots = new KeyedColumns()
    this.payments = new KeyedColumns()
    this.reserve(hint)
  }

  /** Makes room for what a source expects to add (a hint: columns grow past it as needed). */
  reserve(hint: DatasetSizeHint): void {
    if (hint.contracts !== undefined) this.contracts.reserve(hint.contracts)
    if (hint.units !== undefined) this.units.reserve(hint.units)
    if (hint.lots !== undefined) this.lots.reserve(hint.lots)
    if (hint.payments !== undefined) this.payments.reserve(hint.payments)
  }

  add(record: ProcurementRecord): void {
    switch (record.kind) {
      case "contract":
        this.addContractRow(this.rowOf(record.value))
        return
      case "unit":
        this.addUnitRow(record.value.id, record.value.contractId, orNaN(record.value.lotId))
        return
      case "lot":
        this.addLotRow(record.value.id, record.value.amount, orNaN(record.value.lastUpdateDate))
        return
      case "payment":
        this.addPaymentRow(record.value.id, record.value.contractId, record.value.payDate)
        return
      case "subject": {
        const kato = record.value.kato
        this.addSubjectRow(this.binIdOfText(record.value.bin), kato === null ? null : (regionOfKato(kato) ?? null))
        return
      }
      case "ref":
        return
    }
  }

  /** The builder's id for a BIN given as its 12-digit number (see `ContractRow`). */
  binIdOfCode(code: number): number {
    return this.bins.idOfCode(code)
  }

  binIdOfText(bin: string): number {
    return this.bins.idOfText(bin)
  }

  addContractRow(row: ContractRow): void {
    this.contracts.put(row)
  }

  /** A contract unit; `lotId` NaN when the unit names no lot. */
  addUnitRow(id: number, contractId: number, lotId: number): void {
    this.units.put(id, contractId, lotId)
  }

  /** A lot; `lastUpdateDate` NaN when absent. */
  addLotRow(id: number, amount: number, lastUpdateDate: number): void {
    this.lots.putNewer(id, amount, lastUpdateDate)
  }

  addPaymentRow(id: number, contractId: number, payDate: number): void {
    this.payments.put(id, contractId, payDate)
  }

  /** A subject's region, `null` when its KATO code is absent or names no region. */
  addSubjectRow(binId: number, region: RegionCode | null): void {
    this.bins.setRegion(binId, region)
  }

  get contractCount(): number {
    return this.contracts.count
  }

  build(): AnalysisDataset {
    return new AnalysisDataset({
      contracts: this.contracts,
      bins: this.bins,
      chains: groupChains(this.contracts),
      lots: this.lots,
      lotGroups: groupLots(this.units, this.contracts.index),
      payments: groupPayments(this.payments, this.contracts.index)
    })
  }

  private rowOf(c: Contract): ContractRow {
    const row = this.row
    row.id = c.id
    row.parentId = orNaN(c.parentId)
    row.rootId = orNaN(c.rootId)
    row.statusId = orNaN(c.statusId)
    row.typeId = orNaN(c.typeId)
    row.yearTypeId = orNaN(c.yearTypeId)
    row.deleted = c.deleted
    row.crdate = c.crdate
    row.signDate = orNaN(c.signDate)
    row.lastUpdateDate = orNaN(c.lastUpdateDate)
    row.customerBin = c.customerBin === null ? -1 : this.bins.idOfText(c.customerBin)
    row.supplierBin = c.supplierBin === null ? -1 : this.bins.idOfText(c.supplierBin)
    row.sumWnds = orNaN(c.contractSumWnds)
    row.faktSumWnds = orNaN(c.faktSumWnds)
    row.finYear = orNaN(c.finYear)
    return row
  }
}

const PLAN_NOT_COMPUTED = -1

/** What `DatasetBuilder.build` hands over. */
export interface DatasetParts {
  readonly contracts: ContractColumns
  readonly bins: BinTable
  readonly chains: ChainTable
  /** a = amount, b = last_update_date, keyed by lot id. */
  readonly lots: KeyedColumns
  readonly lotGroups: LotGroups
  readonly payments: PaymentGroups
}

/**
 * The indexed, read-only view the indicators evaluate. The data lives in columns (`table`, `chainTable`): the
 * standard indicators read those by version and chain index. `chains` and `contracts` are object views of the same
 * data for indicators written against them, built on first use.
 */
export class AnalysisDataset {
  /** Contract versions by dense index; `table.index` maps an id to it. Read-only: indicators share it. */
  readonly table: ContractColumnsView
  readonly chainTable: ChainTable
  private readonly bins: BinTable
  private readonly lots: KeyedColumns
  private readonly lotGroups: LotGroups
  private readonly payments: PaymentGroups
  private readonly factsCache: Array<ContractFacts | undefined> = []
  private chainViews: ReadonlyArray<ChainView> | undefined
  private contractViews: ReadonlyMap<number, ContractFacts> | undefined
  private readonly memo = new Map<string, unknown>()
  private planMemo: Float64Array | undefined

  constructor(parts: DatasetParts) {
    this.table = parts.contracts
    this.chainTable = parts.chains
    this.bins = parts.bins
    this.lots = parts.lots
    this.lotGroups = parts.lotGroups
    this.payments = parts.payments
  }

  /** Every chain, in the order its first version was read. */
  get chains(): ReadonlyArray<ChainView> {
    if (this.chainViews === undefined) {
      const t = this.chainTable
      const views: Array<ChainView> = []
      for (let k = 0; k < t.count; k++) {
        const root = t.root[k] as number
        const members: Array<ContractFacts> = []
        for (let m = t.memberStart[k] as number; m < (t.memberStart[k + 1] as number); m++) {
          members.push(this.factsAt(t.members[m] as number))
        }
        const versions: Array<ContractFacts> = []
        for (let v = t.versionStart[k] as number; v < (t.versionStart[k + 1] as number); v++) {
          versions.push(this.factsAt(t.versions[v] as number))
        }
        views.push({ key: t.keys[k] as number, root: root < 0 ? undefined : this.factsAt(root), members, versions })
      }
      this.chainViews = views
    }
    return this.chainViews
  }

  /** Every contract version kept, by id, in the order the ids were first read. */
  get contracts(): ReadonlyMap<number, ContractFacts> {
    if (this.contractViews === undefined) {
      const map = new Map<number, ContractFacts>()
      for (let i = 0; i < this.table.count; i++) map.set(this.table.id[i] as number, this.factsAt(i))
      this.contractViews = map
    }
    return this.contractViews
  }

  /** The facts of version `i` as an object (one per version, made on first use). */
  factsAt(i: number): ContractFacts {
    const cached = this.factsCache[i]
    if (cached !== undefined) return cached
    const c = this.table
    const customer = c.customerBin[i] as number
    const supplier = c.supplierBin[i] as number
    const facts: ContractFacts = {
      id: c.id[i] as number,
      parentId: nullIfNaN(c.parentId[i] as number),
      rootId: nullIfNaN(c.rootId[i] as number),
      isRoot: c.isRootAt(i),
      statusId: nullIfNaN(c.statusId[i] as number),
      typeId: nullIfNaN(c.typeId[i] as number),
      yearTypeId: nullIfNaN(c.yearTypeId[i] as number),
      deleted: c.deleted[i] === 1,
      crdate: c.crdate[i] as number,
      signDate: nullIfNaN(c.signDate[i] as number),
      lastUpdateDate: nullIfNaN(c.lastUpdateDate[i] as number),
      customerBin: customer < 0 ? null : this.bins.text(customer),
      supplierBin: supplier < 0 ? null : this.bins.text(supplier),
      sumWnds: nullIfNaN(c.sumWnds[i] as number),
      faktSumWnds: nullIfNaN(c.faktSumWnds[i] as number),
      finYear: nullIfNaN(c.finYear[i] as number)
    }
    this.factsCache[i] = facts
    return facts
  }

  /**
   * The chain a version belongs to: its `root_id` when given; otherwise the top of its `parent_id` line (a
   * version with neither is its own root). A parent missing from the data ends the walk at that parent's id.
   */
  chainKeyOf(c: ContractFacts): number {
    if (c.rootId !== null) return c.rootId
    if (c.parentId === null) return c.id
    const parent = this.table.index.get(c.parentId)
    return parent < 0 ? c.parentId : chainKeyAt(this.table, parent)
  }

  /**
   * P: the sum of `amount` over the distinct lots the contract's units reference. Undefined when the contract has
   * no units with lots, or when any referenced lot is missing (a partial sum would understate P). Infinity when the
   * sum leaves the exact integer range (over 2^53 − 1 tiyn, about 90 trillion tenge): each lot fits, their sum
   * need not, and no rounded value may stand in for P.
   */
  planSum(contractId: number): number | undefined {
    const slot = this.lotGroups.slots.get(contractId)
    return slot < 0 ? undefined : this.planSumOfSlot(slot)
  }

  private planSumOfSlot(slot: number): number | undefined {
    const g = this.lotGroups
    const from = g.start[slot] as number
    const to = g.start[slot + 1] as number
    if (from === to) return undefined
    let sum = 0
    for (let r = from; r < to; r++) {
      const lot = this.lots.index.get(g.lots[r] as number)
      if (lot < 0) return undefined
      sum += this.lots.a[lot] as number
    }
    // Amounts are non-negative safe integers, so a sum that left the range stays out of it (rounding never
    // brings a double above 2^53 back below).
    return Number.isSafeInteger(sum) ? sum : Number.POSITIVE_INFINITY
  }

  /** `planSum` of version `i`'s contract id, NaN when unknown; worked out once per version (two indicators ask). */
  planSumAt(i: number): number {
    let memo = this.planMemo
    if (memo === undefined) {
      memo = new Float64Array(this.table.count).fill(PLAN_NOT_COMPUTED)
      this.planMemo = memo
    }
    const known = memo[i] as number
    if (known !== PLAN_NOT_COMPUTED) return known
    // A stored version's slot is its own index (see ContractSlots).
    const plan = this.planSumOfSlot(i)
    const value = plan === undefined ? Number.NaN : plan
    memo[i] = value
    return value
  }

  /** The earliest payment date over every version of a chain (deleted versions' payments count: money moved). */
  firstPayDate(chain: ChainView): number | undefined {
    let first = this.firstPayOf(chain.key)
    for (const v of chain.members) {
      const d = this.firstPayOf(v.id)
      if (!Number.isNaN(d) && !(d >= first)) first = d
    }
    return Number.isNaN(first) ? undefined : first
  }

  /** `firstPayDate` of chain `k` of `chainTable`, NaN when the chain has no payment. */
  firstPayAt(k: number): number {
    const t = this.chainTable
    let first = this.firstPayOf(t.keys[k] as number)
    const paid = this.payments.first
    for (let m = t.memberStart[k] as number; m < (t.memberStart[k + 1] as number); m++) {
      // A stored version's slot is its own index (see ContractSlots).
      const d = paid[t.members[m] as number] as number
      if (!Number.isNaN(d) && !(d >= first)) first = d
    }
    return first
  }

  regionOf(bin: string): RegionCode | null {
    return this.bins.region(this.bins.findText(bin))
  }

  /** The text of a BIN id of `table`'s BIN columns. */
  binText(id: number): string {
    return this.bins.text(id)
  }

  /** The region of a BIN id. */
  regionOfBinId(id: number): RegionCode | null {
    return this.bins.region(id)
  }

  get binCount(): number {
    return this.bins.size
  }

  /** Something derived from the dataset once per key and kept (e.g. which chains pass a filter set). */
  memoize<A>(key: string, compute: () => A): A {
    if (this.memo.has(key)) return this.memo.get(key) as A
    const value = compute()
    this.memo.set(key, value)
    return value
  }

  private firstPayOf(contractId: number): number {
    const slot = this.payments.slots.get(contractId)
    return slot < 0 ? Number.NaN : (this.payments.first[slot] as number)
  }
}
