import { grownF64, grownI32, grownU8 } from "./columns.ts"
import { IdIndex } from "./IdIndex.ts"

/**
 * One contract version in column form, as sources hand it to `DatasetBuilder.addContractRow`: numbers with `NaN`
 * for null, BINs as ids from the builder's BIN table (-1 for null). Reused between calls: filling one mutable row
 * instead of allocating an object per record is the point.
 */
export interface ContractRow {
  id: number
  parentId: number
  rootId: number
  statusId: number
  typeId: number
  yearTypeId: number
  deleted: boolean
  crdate: number
  signDate: number
  lastUpdateDate: number
  customerBin: number
  supplierBin: number
  sumWnds: number
  faktSumWnds: number
  finYear: number
}

export const emptyContractRow = (): ContractRow => ({
  id: 0,
  parentId: Number.NaN,
  rootId: Number.NaN,
  statusId: Number.NaN,
  typeId: Number.NaN,
  yearTypeId: Number.NaN,
  deleted: false,
  crdate: 0,
  signDate: Number.NaN,
  lastUpdateDate: Number.NaN,
  customerBin: -1,
  supplierBin: -1,
  sumWnds: Number.NaN,
  faktSumWnds: Number.NaN,
  finYear: Number.NaN
})

/** Newer `last_update_date` wins; on a tie (or none) the later record wins, as a re-export would. */
export const supersedes = (incoming: number, existing: number): boolean =>
  (Number.isNaN(incoming) ? Number.NEGATIVE_INFINITY : incoming) >=
  (Number.isNaN(existing) ? Number.NEGATIVE_INFINITY : existing)

/** A column as an indicator sees it: numbers to read by index, none to write. */
export interface ReadonlyColumn {
  readonly [index: number]: number
  readonly length: number
}

/**
 * The contract columns as the indicators see them (`AnalysisDataset.table`). The indicators of a run share one
 * dataset, so one that wrote into a column would change what the indicators after it see: the view has no writes.
 */
export interface ContractColumnsView {
  /** Versions kept; indexes run from 0 to `count - 1` (the columns may be longer). */
  readonly count: number
  /** A version's index by its id, or -1. */
  readonly index: { readonly get: (id: number) => number }
  readonly id: ReadonlyColumn
  readonly parentId: ReadonlyColumn
  readonly rootId: ReadonlyColumn
  readonly statusId: ReadonlyColumn
  readonly typeId: ReadonlyColumn
  readonly yearTypeId: ReadonlyColumn
  readonly deleted: ReadonlyColumn
  readonly crdate: ReadonlyColumn
  readonly signDate: ReadonlyColumn
  readonly lastUpdateDate: ReadonlyColumn
  readonly customerBin: ReadonlyColumn
  readonly supplierBin: ReadonlyColumn
  readonly sumWnds: ReadonlyColumn
  readonly faktSumWnds: ReadonlyColumn
  readonly finYear: ReadonlyColumn
  /** Whether version `i` is the original of its chain: no parent, and a root id that is absent or its own. */
  readonly isRootAt: (i: number) => boolean
}

/** The contract versions kept, one column per fact, indexed by a dense version index in first-seen order. */
export class ContractColumns {
  readonly index: IdIndex
  capacity: number
  id: Float64Array
  parentId: Float64Array
  rootId: Float64Array
  statusId: Float64Array
  typeId: Float64Array
  yearTypeId: Float64Array
  deleted: Uint8Array
  crdate: Float64Array
  signDate: Float64Array
  lastUpdateDate: Float64Array
  customerBin: Int32Array
  supplierBin: Int32Array
  sumWnds: Float64Array
  faktSumWnds: Float64Array
  finYear: Float64Array

  constructor(expected = 1024) {
    const capacity = Math.max(16, expected)
    this.index = new IdIndex(capacity)
    this.capacity = capacity
    this.id = new Float64Array(capacity)
    this.parentId = new Float64Array(capacity)
    this.rootId = new Float64Array(capacity)
    this.statusId = new Float64Array(capacity)
    this.typeId = new Float64Array(capacity)
    this.yearTypeId = new Float64Array(capacity)
    this.deleted = new Uint8Array(capacity)
    this.crdate = new Float64Array(capacity)
    this.signDate = new Float64Array(capacity)
    this.lastUpdateDate = new Float64Array(capacity)
    this.customerBin = new Int32Array(capacity)
    this.supplierBin = new Int32Array(capacity)
    this.sumWnds = new Float64Array(capacity)
    this.faktSumWnds = new Float64Array(capacity)
    this.finYear = new Float64Array(capacity)
  }

  get count(): number {
    return this.index.size
  }

  /** Makes room for `count` versions in all, so that a known input size costs no regrowth. */
  reserve(count: number): void {
    this.index.reserve(count)
    if (this.capacity < count) this.grow(count)
  }

  /** Keeps the row unless a stored version of the same id supersedes it. */
  put(row: ContractRow): void {
    const i = this.index.slotOrInsert(row.id)
    if (!this.index.inserted && !supersedes(row.lastUpdateDate, this.lastUpdateDate[i] as number)) return
    if (i >= this.capacity) this.grow(this.capacity * 2)
    this.id[i] = row.id
    this.parentId[i] = row.parentId
    this.rootId[i] = row.rootId
    this.statusId[i] = row.statusId
    this.typeId[i] = row.typeId
    this.yearTypeId[i] = row.yearTypeId
    this.deleted[i] = row.deleted ? 1 : 0
    this.crdate[i] = row.crdate
    this.signDate[i] = row.signDate
    this.lastUpdateDate[i] = row.lastUpdateDate
    this.customerBin[i] = row.customerBin
    this.supplierBin[i] = row.supplierBin
    this.sumWnds[i] = row.sumWnds
    this.faktSumWnds[i] = row.faktSumWnds
    this.finYear[i] = row.finYear
  }

  /** Whether version `i` is the original of its chain: no parent, and a root id that is absent or its own. */
  isRootAt(i: number): boolean {
    const rootId = this.rootId[i] as number
    return Number.isNaN(this.parentId[i] as number) && (Number.isNaN(rootId) || rootId === this.id[i])
  }

  private grow(capacity: number): void {
    this.id = grownF64(this.id, capacity)
    this.parentId = grownF64(this.parentId, capacity)
    this.rootId = grownF64(this.rootId, capacity)
    this.statusId = grownF64(this.statusId, capacity)
    this.typeId = grownF64(this.typeId, capacity)
    this.yearTypeId = grownF64(this.yearTypeId, capacity)
    this.deleted = grownU8(this.deleted, capacity)
    this.crdate = grownF64(this.crdate, capacity)
    this.signDate = grownF64(this.signDate, capacity)
    this.lastUpdateDate = grownF64(this.lastUpdateDate, capacity)
    this.customerBin = grownI32(this.customerBin, capacity)
    this.supplierBin = grownI32(this.supplierBin, capacity)
    this.sumWnds = grownF64(this.sumWnds, capacity)
    this.faktSumWnds = grownF64(this.faktSumWnds, capacity)
    this.finYear = grownF64(this.finYear, capacity)
    this.capacity = capacity
  }
}
