import { renderMoney, withoutVat } from "./amounts.ts"
import { dayOfWall, formatDate, formatWallClock, SECONDS_PER_DAY, yearOfWall } from "./calendar.ts"
import type { GeneratedRecord } from "./items.ts"
import type { Prng } from "./prng.ts"
import type { SubjectRef } from "./subjects.ts"

/**
 * A contract chain as planned: the root, its amendments, the lots and units that give its plan sum, and its
 * treasury payments. Plans are mutable so that planted cases can start from a clean chain and change one thing.
 * Times are wall-clock seconds, money is tiyn.
 */
export interface VersionSpec {
  id: number
  parentId: number | null
  /** What the row's `root_id` says: the root writes null or its own id, amendments the root's id (or null). */
  rootIdField: number | null
  typeId: number
  statusId: number
  yearTypeId: number
  deleted: boolean
  crdate: number
  signDate: number | null
  lastUpdate: number
  sumWnds: number
  faktSumWnds: number | null
  customer: SubjectRef | null
  supplier: SubjectRef | null
  subjectTypeId: number
  trdBuyId: number
  description: readonly [ru: string, kz: string]
}

export interface LotSpec {
  id: number
  trdBuyId: number
  amount: number
  customerBin: string | null
  lastUpdate: number
}

export interface UnitSpec {
  id: number
  contractId: number
  lotId: number | null
  plnPointId: number
  totalSum: number
}

export interface PaymentSpec {
  id: number
  contractId: number
  payDate: number
  /** OWS sometimes gives `pay_date` as a bare date, which means midnight. */
  dateOnly: boolean
  amount: number
  prepay: number | null
}

/** How a chain's records reach the stream. Every order but "shuffled" bypasses the generator's local shuffle. */
export type ChainOrder = "shuffled" | "stale-first" | "stale-last" | "amendments-reversed"

export interface ChainSpec {
  readonly rootId: number
  /** The root first, then the amendments in chain order. */
  readonly versions: Array<VersionSpec>
  readonly lots: Array<LotSpec>
  readonly units: Array<UnitSpec>
  readonly payments: Array<PaymentSpec>
  /** Older copies of rows (same id, older `last_update_date`): the current row must win. */
  readonly staleVersions: Array<VersionSpec>
  readonly staleLots: Array<LotSpec>
  /** Emit the root row twice, identically (same `last_update_date`), as overlapping exports do. */
  duplicateRoot: boolean
  /** Leave the root out of the data: its amendments arrive alone. */
  withholdRoot: boolean
  order: ChainOrder
}

export const rootOf = (chain: ChainSpec): VersionSpec => chain.versions[0]

const wallText = (wall: number | null): string | null => (wall === null ? null : formatWallClock(wall))

const money = (tiyn: number | null, asText: boolean): number | string | null =>
  tiyn === null ? null : renderMoney(tiyn, asText)

/** The end of the fin year the contract is paid from: goszakup writes `ec_end_date` as its last day. */
const yearEnd = (year: number): string => `${year}-12-31 00:00:00`

export const renderVersion = (v: VersionSpec, style: number): Record<string, unknown> => {
  const asText = (style & 1) === 1
  const signed = v.signDate ?? v.crdate
  const year = yearOfWall(signed)
  const terminated = v.statusId === 340 || v.statusId === 350
  const executed = v.statusId === 390
  return {
    id: v.id,
    parent_id: v.parentId,
    root_id: v.rootIdField,
    trd_buy_id: v.trdBuyId,
    trd_buy_number_anno: `${v.trdBuyId}-1`,
    ref_contract_status_id: v.statusId,
    deleted: (style & 2) === 2 ? (v.deleted ? 1 : 0) : v.deleted,
    crdate: formatWallClock(v.crdate),
    last_update_date: formatWallClock(v.lastUpdate),
    supplier_id: v.supplier?.id ?? null,
    supplier_biin: v.supplier?.bin ?? null,
    customer_id: v.customer?.id ?? null,
    customer_bin: v.customer?.bin ?? null,
    contract_number: `${v.id % 1_000_000}/${year}`,
    contract_number_sys: `${v.customer?.id ?? 0}-${year}-${v.id}`,
    ref_subject_type_id: v.subjectTypeId,
    is_gu: 1,
    fin_year: year,
    ref_contract_agr_form_id: 1,
    ref_contract_year_type_id: v.yearTypeId,
    ref_finsource_id: 1 + (v.id % 3),
    ref_currency_code: "KZT",
    exchange_rate: 1,
    contract_sum: money(withoutVat(v.sumWnds), asText),
    contract_sum_wnds: money(v.sumWnds, asText),
    sign_date: wallText(v.signDate),
    ec_end_date: yearEnd(year),
    plan_exec_date: formatWallClock(signed + 60 * SECONDS_PER_DAY),
    fakt_exec_date: executed ? formatWallClock(v.lastUpdate) : null,
    fakt_sum: money(v.faktSumWnds === null ? null : withoutVat(v.faktSumWnds), asText),
    fakt_sum_wnds: money(v.faktSumWnds, asText),
    contract_end_date: terminated ? formatWallClock(v.lastUpdate) : null,
    ref_contract_cancel_id: terminated ? (v.statusId === 340 ? 1 : 2) : null,
    ref_contract_type_id: v.typeId,
    description_ru: v.description[0],
    description_kz: v.description[1],
    fakt_trade_methods_id: 1 + (v.trdBuyId % 7),
    trd_buy_itogi_date_public: formatWallClock(v.crdate - 3 * SECONDS_PER_DAY),
    supplier_bik: "HSBKKZKX",
    supplier_iik: v.supplier === null ? null : `KZ${String(v.supplier.id).padStart(18, "0")}`,
    system_id: 3,
    index_date: formatWallClock(v.lastUpdate)
  }
}

export const renderLot = (lot: LotSpec, style: number): Record<string, unknown> => ({
  id: lot.id,
  trd_buy_id: lot.trdBuyId,
  lot_number: `${lot.id}-ЗЦП1`,
  amount: renderMoney(lot.amount, (style & 1) === 1),
  count: 1,
  customer_bin: lot.customerBin,
  ref_lot_status_id: 360,
  last_update_date: formatWallClock(lot.lastUpdate)
})

export const renderUnit = (unit: UnitSpec, style: number): Record<string, unknown> => ({
  id: unit.id,
  contract_id: unit.contractId,
  lot_id: unit.lotId,
  pln_point_id: unit.plnPointId,
  item_price: renderMoney(unit.totalSum, (style & 1) === 1),
  quantity: 1,
  total_sum: renderMoney(unit.totalSum, (style & 1) === 1)
})

export const renderPayment = (p: PaymentSpec, style: number): Record<string, unknown> => ({
  id: p.id,
  contract_id: p.contractId,
  pay_date: p.dateOnly ? formatDate(dayOfWall(p.payDate)) : formatWallClock(p.payDate),
  pay_amount: renderMoney(p.amount, (style & 1) === 1),
  prepay_sum: money(p.prepay, (style & 2) === 2),
  dt_reg: formatWallClock(p.payDate)
})

/** The raw records of a chain, in the order its `order` asks for. */
export const renderChain = (chain: ChainSpec, prng: Prng): Array<GeneratedRecord> => {
  const out: Array<GeneratedRecord> = []
  const pushRoot = (): void => {
    if (chain.withholdRoot) return
    const raw = renderVersion(rootOf(chain), prng.uint32())
    out.push({ kind: "contract", raw })
    // A duplicate is a separate object with the same content, as a second export line would be.
    if (chain.duplicateRoot) out.push({ kind: "contract", raw: { ...raw } })
  }
  const pushAmendments = (reversed: boolean): void => {
    const n = chain.versions.length
    for (let i = 1; i < n; i++) {
      const v = chain.versions[reversed ? n - i : i]
      out.push({ kind: "contract", raw: renderVersion(v, prng.uint32()) })
    }
  }
  const pushStale = (): void => {
    for (const v of chain.staleVersions) out.push({ kind: "contract", raw: renderVersion(v, prng.uint32()) })
    for (const l of chain.staleLots) out.push({ kind: "lot", raw: renderLot(l, prng.uint32()) })
  }
  const pushRest = (): void => {
    for (const l of chain.lots) out.push({ kind: "lot", raw: renderLot(l, prng.uint32()) })
    for (const u of chain.units) out.push({ kind: "unit", raw: renderUnit(u, prng.uint32()) })
    for (const p of chain.payments) out.push({ kind: "payment", raw: renderPayment(p, prng.uint32()) })
  }
  if (chain.order === "stale-first") pushStale()
  if (chain.order === "amendments-reversed") {
    pushAmendments(true)
    pushRoot()
  } else {
    pushRoot()
    pushAmendments(false)
  }
  pushRest()
  if (chain.order !== "stale-first") pushStale()
  return out
}
