/**
 * Domain records straight from JSONL bytes, for readers that need whole records (the importer), not the
 * dataset's numeric rows: the fast path's scanner with every field kept, then one object literal per line. A line
 * the scanner cannot vouch for is left to the general decoder (JSON.parse + decodeRecord), which alone names
 * rejections; a line it reads gives the record that decoder gives (tested field for field). At a million
 * contracts this replaces about 10 s of JSON.parse and its garbage on the import's reader thread.
 */
import {
  accepted,
  type Bin,
  type Contract,
  type ContractId,
  type ContractUnit,
  type Instant,
  type Lot,
  type LotId,
  type Payment,
  type PaymentId,
  type ProcurementRecord,
  type RecordKind,
  type SourceItem,
  type Tiyn,
  type UnitId
} from "@adalqarau/core"
import { RECORD_SPECS, type RecordScanKind } from "./kinds.ts"
import { ACCEPTED, FALLBACK, LineScanner } from "./LineScanner.ts"
import { NativeLineScanner } from "./nativeScanner.ts"

export const isRecordScanKind = (kind: RecordKind): kind is RecordScanKind => kind in RECORD_SPECS

/**
 * The slots of the fields a builder reads, by the REST names it gives them (a field's slot is its position in the
 * kind's spec). Checked once at load: a renamed field fails here, not as a wrong value.
 */
const slotsOf = <K extends string>(
  kind: RecordScanKind,
  names: Readonly<Record<K, string>>
): Readonly<Record<K, number>> => {
  const byName = new Map(RECORD_SPECS[kind].fields.map((f) => [f.name, f.slot]))
  const slots = {} as Record<K, number>
  for (const key of Object.keys(names) as Array<K>) {
    const found = byName.get(names[key])
    if (found === undefined) throw new Error(`no ${kind} field ${names[key]}`)
    slots[key] = found
  }
  return slots
}

const c = slotsOf("contract", {
  id: "id",
  parentId: "parent_id",
  rootId: "root_id",
  trdBuyId: "trd_buy_id",
  statusId: "ref_contract_status_id",
  typeId: "ref_contract_type_id",
  yearTypeId: "ref_contract_year_type_id",
  subjectTypeId: "ref_subject_type_id",
  deleted: "deleted",
  crdate: "crdate",
  lastUpdateDate: "last_update_date",
  signDate: "sign_date",
  customerBin: "customer_bin",
  supplierBin: "supplier_biin",
  contractNumber: "contract_number",
  contractNumberSys: "contract_number_sys",
  finYear: "fin_year",
  currencyCode: "ref_currency_code",
  contractSum: "contract_sum",
  contractSumWnds: "contract_sum_wnds",
  faktSum: "fakt_sum",
  faktSumWnds: "fakt_sum_wnds",
  ecEndDate: "ec_end_date",
  planExecDate: "plan_exec_date",
  faktExecDate: "fakt_exec_date",
  contractEndDate: "contract_end_date",
  cancelId: "ref_contract_cancel_id",
  descriptionRu: "description_ru"
})
const u = slotsOf("unit", {
  id: "id",
  contractId: "contract_id",
  lotId: "lot_id",
  plnPointId: "pln_point_id",
  totalSum: "total_sum"
})
const l = slotsOf("lot", {
  id: "id",
  trdBuyId: "trd_buy_id",
  amount: "amount",
  customerBin: "customer_bin",
  lastUpdateDate: "last_update_date"
})
const p = slotsOf("payment", {
  id: "id",
  contractId: "contract_id",
  payDate: "pay_date",
  payAmount: "pay_amount",
  prepaySum: "prepay_sum"
})

/**
 * Reads a line's values out of its scanner: numbers as the scanner left them (NaN: absent), BINs from their
 * 12-digit codes, text from the line's bytes.
 */
class Values {
  private readonly row: Float64Array
  private readonly textEnd: Int32Array
  bytes: Buffer = Buffer.alloc(0)
  constructor(row: Float64Array, textEnd: Int32Array) {
    this.row = row
    this.textEnd = textEnd
  }

  number<A extends number>(slot: number): A {
    return this.row[slot] as A
  }
  nullable<A extends number>(slot: number): A | null {
    const value = this.row[slot] as number
    return Number.isNaN(value) ? null : (value as A)
  }
  flag(slot: number): boolean {
    return this.row[slot] === 1
  }
  bin(slot: number): Bin | null {
    const code = this.row[slot] as number
    return Number.isNaN(code) ? null : (String(code).padStart(12, "0") as Bin)
  }
  text(slot: number): string | null {
    const start = this.row[slot] as number
    return Number.isNaN(start) ? null : this.bytes.toString("utf8", start, this.textEnd[slot])
  }
}

const contractOf = (v: Values): Contract => ({
  id: v.number<ContractId>(c.id),
  parentId: v.nullable<ContractId>(c.parentId),
  rootId: v.nullable<ContractId>(c.rootId),
  trdBuyId: v.nullable(c.trdBuyId),
  statusId: v.nullable(c.statusId),
  typeId: v.nullable(c.typeId),
  yearTypeId: v.nullable(c.yearTypeId),
  subjectTypeId: v.nullable(c.subjectTypeId),
  deleted: v.flag(c.deleted),
  crdate: v.number<Instant>(c.crdate),
  lastUpdateDate: v.nullable<Instant>(c.lastUpdateDate),
  signDate: v.nullable<Instant>(c.signDate),
  customerBin: v.bin(c.customerBin),
  supplierBin: v.bin(c.supplierBin),
  contractNumber: v.text(c.contractNumber),
  contractNumberSys: v.text(c.contractNumberSys),
  finYear: v.nullable(c.finYear),
  currencyCode: v.text(c.currencyCode),
  contractSum: v.nullable<Tiyn>(c.contractSum),
  contractSumWnds: v.nullable<Tiyn>(c.contractSumWnds),
  faktSum: v.nullable<Tiyn>(c.faktSum),
  faktSumWnds: v.nullable<Tiyn>(c.faktSumWnds),
  ecEndDate: v.nullable<Instant>(c.ecEndDate),
  planExecDate: v.nullable<Instant>(c.planExecDate),
  faktExecDate: v.nullable<Instant>(c.faktExecDate),
  contractEndDate: v.nullable<Instant>(c.contractEndDate),
  cancelId: v.nullable(c.cancelId),
  descriptionRu: v.text(c.descriptionRu)
})

const unitOf = (v: Values): ContractUnit => ({
  id: v.number<UnitId>(u.id),
  contractId: v.number<ContractId>(u.contractId),
  lotId: v.nullable<LotId>(u.lotId),
  plnPointId: v.nullable(u.plnPointId),
  totalSum: v.nullable<Tiyn>(u.totalSum)
})

const lotOf = (v: Values): Lot => ({
  id: v.number<LotId>(l.id),
  trdBuyId: v.nullable(l.trdBuyId),
  amount: v.number<Tiyn>(l.amount),
  customerBin: v.bin(l.customerBin),
  lastUpdateDate: v.nullable<Instant>(l.lastUpdateDate)
})

const paymentOf = (v: Values): Payment => ({
  id: v.number<PaymentId>(p.id),
  contractId: v.number<ContractId>(p.contractId),
  payDate: v.number<Instant>(p.payDate),
  payAmount: v.number<Tiyn>(p.payAmount),
  prepaySum: v.nullable<Tiyn>(p.prepaySum)
})

/** What a reader needs of a line scanner: `LineScanner`, or its native build (the same verdicts and values). */
interface RecordScanner {
  readonly scan: (bytes: Buffer, view: DataView, from: number, to: number) => number
  readonly row: Float64Array
  readonly textEnd: Int32Array
}

interface KindReader {
  readonly scanner: RecordScanner
  readonly values: Values
}

/** Reads lines of the record kinds it knows into source items, one scanner per kind (not shared between threads). */
export class RecordLineReader {
  private readonly readers = new Map<RecordScanKind, KindReader>()
  private readonly useNative: boolean

  /** `useNative`: scan with the C++ scanner where it is built (the same records, a few times faster). */
  constructor(useNative = true) {
    this.useNative = useNative
  }

  /**
   * Reads the line `bytes[from, to)` (without its line break) into `out`: nothing for an empty line, the record
   * for a line the scanner vouches for. False, with nothing pushed, when the general decoder must read it.
   */
  read(kind: RecordScanKind, bytes: Buffer, view: DataView, from: number, to: number, out: Array<SourceItem>): boolean {
    const reader = this.readerOf(kind)
    const verdict = reader.scanner.scan(bytes, view, from, to)
    if (verdict === FALLBACK) return false
    if (verdict === ACCEPTED) {
      reader.values.bytes = bytes
      out.push(accepted(recordOf(kind, reader.values)))
    }
    return true
  }

  private readerOf(kind: RecordScanKind): KindReader {
    let reader = this.readers.get(kind)
    if (reader === undefined) {
      const spec = RECORD_SPECS[kind]
      const scanner: RecordScanner = (this.useNative ? NativeLineScanner.of(spec) : undefined) ?? new LineScanner(spec)
      reader = { scanner, values: new Values(scanner.row, scanner.textEnd) }
      this.readers.set(kind, reader)
    }
    return reader
  }
}

/** The `onBytes` handler of a kind file's lines (`lineBatches.ts`), with a reader of its own. */
export const recordsFromBytes = (kind: RecordScanKind) => {
  const reader = new RecordLineReader()
  return (bytes: Buffer, view: DataView, from: number, to: number, _line: number, out: Array<SourceItem>): boolean =>
    reader.read(kind, bytes, view, from, to, out)
}

const recordOf = (kind: RecordScanKind, v: Values): ProcurementRecord => {
  switch (kind) {
    case "contract":
      return { kind, value: contractOf(v) }
    case "unit":
      return { kind, value: unitOf(v) }
    case "lot":
      return { kind, value: lotOf(v) }
    case "payment":
      return { kind, value: paymentOf(v) }
  }
}
