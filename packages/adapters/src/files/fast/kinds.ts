/**
 * What the JSONL fast path reads of each record kind: every field `decodeRecord` decodes (so that a record it
 * would reject is never accepted here), with the value rule of its parser, and the slot of the row the dataset
 * keeps it in (-1: checked, not kept). Keep in step with `sources/ows/decode.ts` of core; the differential tests
 * (test/fastJsonl.test.ts) compare both on every shape.
 */
import type { RecordKind } from "@adalqarau/core"

/** Value rules, one per field parser of core's `sources/ows/fields.ts`. */
export const POSITIVE_ID = 1
export const INTEGER = 2
export const MONEY = 3
export const INSTANT = 4
export const BIN = 5
export const FLAG = 6
export const TEXT = 7
export const KATO = 8

export interface FieldSpec {
  /** The REST (snake_case) name. */
  readonly name: string
  /** The GraphQL (camelCase) name the decoder also reads; seeing it sends the line to the general decoder. */
  readonly alias: string | undefined
  readonly rule: number
  readonly required: boolean
  /** Where the value goes in the row, or -1 when it is only checked. */
  readonly slot: number
}

export interface KindSpec {
  readonly kind: RecordKind
  readonly fields: ReadonlyArray<FieldSpec>
  /** Numbers per row. */
  readonly slots: number
}

const field = (name: string, alias: string | undefined, rule: number, required: boolean, slot = -1): FieldSpec => ({
  name,
  alias,
  rule,
  required,
  slot
})

/** Contract row slots, as `rows.ts` hands them to `DatasetBuilder.addContractRow`. */
export const CONTRACT = {
  id: 0,
  parentId: 1,
  rootId: 2,
  statusId: 3,
  typeId: 4,
  yearTypeId: 5,
  deleted: 6,
  crdate: 7,
  signDate: 8,
  lastUpdateDate: 9,
  customerBin: 10,
  supplierBin: 11,
  sumWnds: 12,
  faktSumWnds: 13,
  finYear: 14
} as const

const contract: KindSpec = {
  kind: "contract",
  slots: 15,
  fields: [
    field("id", undefined, POSITIVE_ID, true, CONTRACT.id),
    field("parent_id", "parentId", POSITIVE_ID, false, CONTRACT.parentId),
    field("root_id", "rootId", POSITIVE_ID, false, CONTRACT.rootId),
    field("trd_buy_id", "trdBuyId", INTEGER, false),
    field("ref_contract_status_id", "refContractStatusId", INTEGER, false, CONTRACT.statusId),
    field("ref_contract_type_id", "refContractTypeId", INTEGER, false, CONTRACT.typeId),
    field("ref_contract_year_type_id", "refContractYearTypeId", INTEGER, false, CONTRACT.yearTypeId),
    field("ref_subject_type_id", "refSubjectTypeId", INTEGER, false),
    field("deleted", undefined, FLAG, false, CONTRACT.deleted),
    field("crdate", undefined, INSTANT, true, CONTRACT.crdate),
    field("last_update_date", "lastUpdateDate", INSTANT, false, CONTRACT.lastUpdateDate),
    field("sign_date", "signDate", INSTANT, false, CONTRACT.signDate),
    field("customer_bin", "customerBin", BIN, false, CONTRACT.customerBin),
    field("supplier_biin", "supplierBiin", BIN, false, CONTRACT.supplierBin),
    field("contract_number", "contractNumber", TEXT, false),
    field("contract_number_sys", "contractNumberSys", TEXT, false),
    field("fin_year", "finYear", INTEGER, false, CONTRACT.finYear),
    field("ref_currency_code", "refCurrencyCode", TEXT, false),
    field("contract_sum", "contractSum", MONEY, false),
    field("contract_sum_wnds", "contractSumWnds", MONEY, false, CONTRACT.sumWnds),
    field("fakt_sum", "faktSum", MONEY, false),
    field("fakt_sum_wnds", "faktSumWnds", MONEY, false, CONTRACT.faktSumWnds),
    field("ec_end_date", "ecEndDate", INSTANT, false),
    field("plan_exec_date", "planExecDate", INSTANT, false),
    field("fakt_exec_date", "faktExecDate", INSTANT, false),
    field("contract_end_date", "contractEndDate", INSTANT, false),
    field("ref_contract_cancel_id", "refContractCancelId", INTEGER, false),
    field("description_ru", "descriptionRu", TEXT, false)
  ]
}

const unit: KindSpec = {
  kind: "unit",
  slots: 3,
  fields: [
    field("id", undefined, POSITIVE_ID, true, 0),
    field("contract_id", "contractId", POSITIVE_ID, true, 1),
    field("lot_id", "lotId", POSITIVE_ID, false, 2),
    field("pln_point_id", "plnPointId", INTEGER, false),
    field("total_sum", "totalSum", MONEY, false)
  ]
}

const lot: KindSpec = {
  kind: "lot",
  slots: 3,
  fields: [
    field("id", undefined, POSITIVE_ID, true, 0),
    field("trd_buy_id", "trdBuyId", INTEGER, false),
    field("amount", undefined, MONEY, true, 1),
    field("customer_bin", "customerBin", BIN, false),
    field("last_update_date", "lastUpdateDate", INSTANT, false, 2)
  ]
}

const payment: KindSpec = {
  kind: "payment",
  slots: 3,
  fields: [
    field("id", undefined, POSITIVE_ID, true, 0),
    field("contract_id", "contractId", POSITIVE_ID, true, 1),
    field("pay_date", "payDate", INSTANT, true, 2),
    field("pay_amount", "payAmount", MONEY, true),
    field("prepay_sum", "prepaySum", MONEY, false)
  ]
}

/** Subject rows: the BIN's number and the first two digits of the KATO code (NaN when there is none). */
const subject: KindSpec = {
  kind: "subject",
  slots: 2,
  fields: [
    field("bin", undefined, BIN, true, 0),
    field("name_ru", "nameRu", TEXT, false),
    field("name_kz", "nameKz", TEXT, false),
    field("kato", undefined, KATO, false, 1)
  ]
}

const ref: KindSpec = {
  kind: "ref",
  slots: 0,
  fields: [
    field("book", undefined, TEXT, true),
    field("id", undefined, INTEGER, true),
    field("code", undefined, TEXT, false),
    field("name_ru", "nameRu", TEXT, true),
    field("name_kz", "nameKz", TEXT, false)
  ]
}

export const KIND_SPECS: Readonly<Record<RecordKind, KindSpec>> = { contract, unit, lot, payment, subject, ref }

/** The kinds an import reads through the fast path: every field kept, in its own slot (the field's position). */
export type RecordScanKind = "contract" | "unit" | "lot" | "payment"

const keepingAll = (spec: KindSpec): KindSpec => ({
  kind: spec.kind,
  slots: spec.fields.length,
  fields: spec.fields.map((f, slot) => ({ ...f, slot }))
})

export const RECORD_SPECS: Readonly<Record<RecordScanKind, KindSpec>> = {
  contract: keepingAll(contract),
  unit: keepingAll(unit),
  lot: keepingAll(lot),
  payment: keepingAll(payment)
}
