import { Schema } from "effect"
import { Bin } from "./Bin.ts"
import { ContractId, Instant, LotId, PaymentId, UnitId } from "./Ids.ts"
import { Kato } from "./Region.ts"
import { Tiyn } from "./Money.ts"

const RefId = Schema.Int

/**
 * One version of a contract as goszakup publishes it. Amendments ("доп. соглашения") are versions of their own:
 * `parentId` is the previous version, `rootId` the original contract of the chain.
 */
export const Contract = Schema.Struct({
  id: ContractId,
  parentId: Schema.NullOr(ContractId),
  rootId: Schema.NullOr(ContractId),
  trdBuyId: Schema.NullOr(Schema.Int),
  statusId: Schema.NullOr(RefId),
  typeId: Schema.NullOr(RefId),
  yearTypeId: Schema.NullOr(RefId),
  subjectTypeId: Schema.NullOr(RefId),
  deleted: Schema.Boolean,
  crdate: Instant,
  lastUpdateDate: Schema.NullOr(Instant),
  signDate: Schema.NullOr(Instant),
  customerBin: Schema.NullOr(Bin),
  supplierBin: Schema.NullOr(Bin),
  contractNumber: Schema.NullOr(Schema.String),
  contractNumberSys: Schema.NullOr(Schema.String),
  finYear: Schema.NullOr(Schema.Int),
  currencyCode: Schema.NullOr(Schema.String),
  contractSum: Schema.NullOr(Tiyn),
  contractSumWnds: Schema.NullOr(Tiyn),
  faktSum: Schema.NullOr(Tiyn),
  faktSumWnds: Schema.NullOr(Tiyn),
  ecEndDate: Schema.NullOr(Instant),
  planExecDate: Schema.NullOr(Instant),
  faktExecDate: Schema.NullOr(Instant),
  contractEndDate: Schema.NullOr(Instant),
  cancelId: Schema.NullOr(RefId),
  descriptionRu: Schema.NullOr(Schema.String)
})
export type Contract = typeof Contract.Type

/** Whether a version is the original contract of its chain: no parent, and a root id that is absent or its own. */
export const isRootContract = (c: Pick<Contract, "id" | "parentId" | "rootId">): boolean =>
  c.parentId === null && (c.rootId === null || c.rootId === c.id)

/** A contract unit (line of the contract), tying the contract to a lot and a plan point. */
export const ContractUnit = Schema.Struct({
  id: UnitId,
  contractId: ContractId,
  lotId: Schema.NullOr(LotId),
  plnPointId: Schema.NullOr(Schema.Int),
  totalSum: Schema.NullOr(Tiyn)
})
export type ContractUnit = typeof ContractUnit.Type

/** A lot of a procurement announcement; `amount` is its planned total ("Общая сумма"). */
export const Lot = Schema.Struct({
  id: LotId,
  trdBuyId: Schema.NullOr(Schema.Int),
  amount: Tiyn,
  customerBin: Schema.NullOr(Bin),
  lastUpdateDate: Schema.NullOr(Instant)
})
export type Lot = typeof Lot.Type

/** A treasury payment on a contract version. */
export const Payment = Schema.Struct({
  id: PaymentId,
  contractId: ContractId,
  payDate: Instant,
  payAmount: Tiyn,
  prepaySum: Schema.NullOr(Tiyn)
})
export type Payment = typeof Payment.Type

/** An organisation (customer or supplier) with the KATO code of its location. */
export const Subject = Schema.Struct({
  bin: Bin,
  nameRu: Schema.NullOr(Schema.String),
  nameKz: Schema.NullOr(Schema.String),
  kato: Schema.NullOr(Kato)
})
export type Subject = typeof Subject.Type

/** An entry of a goszakup reference book (`/v3/refs/<name>`). Its ids are data, never constants in logic. */
export const RefBookEntry = Schema.Struct({
  book: Schema.String,
  id: Schema.Int,
  code: Schema.NullOr(Schema.String),
  nameRu: Schema.String,
  nameKz: Schema.NullOr(Schema.String)
})
export type RefBookEntry = typeof RefBookEntry.Type

/** Every record kind the system loads, tagged by the OWS file / entity it comes from. */
export type ProcurementRecord =
  | { readonly kind: "contract"; readonly value: Contract }
  | { readonly kind: "unit"; readonly value: ContractUnit }
  | { readonly kind: "lot"; readonly value: Lot }
  | { readonly kind: "payment"; readonly value: Payment }
  | { readonly kind: "subject"; readonly value: Subject }
  | { readonly kind: "ref"; readonly value: RefBookEntry }

export type RecordKind = ProcurementRecord["kind"]

/** A batch's records split by kind, each kind in the batch's order. */
export interface RecordsByKind {
  readonly contract: Array<Contract>
  readonly unit: Array<ContractUnit>
  readonly lot: Array<Lot>
  readonly payment: Array<Payment>
  readonly subject: Array<Subject>
  readonly ref: Array<RefBookEntry>
}

export const recordsByKind = (records: Iterable<ProcurementRecord>): RecordsByKind => {
  const split: RecordsByKind = { contract: [], unit: [], lot: [], payment: [], subject: [], ref: [] }
  for (const record of records) {
    switch (record.kind) {
      case "contract":
        split.contract.push(record.value)
        break
      case "unit":
        split.unit.push(record.value)
        break
      case "lot":
        split.lot.push(record.value)
        break
      case "payment":
        split.payment.push(record.value)
        break
      case "subject":
        split.subject.push(record.value)
        break
      case "ref":
        split.ref.push(record.value)
        break
    }
  }
  return split
}
export const RECORD_KINDS: ReadonlyArray<RecordKind> = ["contract", "unit", "lot", "payment", "subject", "ref"]
