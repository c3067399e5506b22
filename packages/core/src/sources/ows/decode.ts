import {
  type Contract,
  type ContractUnit,
  type Lot,
  type Payment,
  type ProcurementRecord,
  RECORD_KINDS,
  type RecordKind,
  type RefBookEntry,
  type Subject
} from "../../domain/Contract.ts"
import type { ContractId, LotId, PaymentId, UnitId } from "../../domain/Ids.ts"
import type { Kato } from "../../domain/Region.ts"
import {
  bin,
  flag,
  instant,
  integer,
  kato,
  money,
  nullable,
  type Parser,
  positiveId,
  Problem,
  required,
  text
} from "./fields.ts"
import { RecordRejection, shortReason, showValue, shownRecordId } from "./RecordRejection.ts"

/** Result of decoding one raw record: the domain value, or why it was rejected. */
export type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly rejection: RecordRejection }

/** Thrown by `field` inside a decoder and caught by `decoder`; never escapes this module. */
class FieldFailure {
  readonly field: string
  readonly input: unknown
  readonly reason: string
  constructor(field: string, input: unknown, reason: string) {
    this.field = field
    this.input = input
    this.reason = reason
  }
}

/** Parses one field; a problem aborts the record with the field's OWS (snake_case) name. */
const field = <A>(input: unknown, name: string, parser: Parser<A>): A => {
  const parsed = parser(input)
  if (parsed instanceof Problem) throw new FieldFailure(name, input, parsed.reason)
  return parsed
}

type Raw = Record<string, unknown>

/**
 * A required field's value under its REST spelling, else under its GraphQL one. A null under either stays null,
 * so that the rejection says the field is null and not missing (`rest ?? graphql` turns a REST null with no
 * GraphQL key into undefined); optional fields read both alike and keep the plain `??`.
 */
const either = (rest: unknown, graphql: unknown): unknown => rest ?? (graphql === undefined ? rest : graphql)

/**
 * Wraps a record builder. Builders read fields by name with the REST (snake_case) spelling first and the GraphQL
 * (camelCase) one second, and build the domain object as one literal: plain property loads and a fixed object
 * shape keep decoding at a few hundred nanoseconds a record, which matters at 15 million contracts.
 */
const decoder =
  <A>(kind: RecordKind, idField: string, idCamel: string, build: (r: Raw) => A) =>
  (raw: unknown): Decoded<A> => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return {
        ok: false,
        rejection: new RecordRejection({
          kind,
          field: "(record)",
          value: showValue(raw),
          reason: "expected a JSON object"
        })
      }
    }
    const record = raw as Raw
    try {
      return { ok: true, value: build(record) }
    } catch (failure) {
      if (!(failure instanceof FieldFailure)) throw failure
      const id = record[idField] ?? record[idCamel]
      return {
        ok: false,
        rejection: new RecordRejection({
          kind,
          field: failure.field,
          value: showValue(failure.input),
          reason: shortReason(failure.reason),
          ...(id === undefined || id === null ? {} : { recordId: shownRecordId(id) })
        })
      }
    }
  }

const contractId = positiveId<ContractId>()
const requiredContractId = required(contractId)
const optionalContractId = nullable(contractId)
const optionalInteger = nullable(integer)
const requiredInstant = required(instant)
const optionalInstant = nullable(instant)
const optionalBin = nullable(bin)
const optionalText = nullable(text)
const optionalMoney = nullable(money)

export const decodeContract = decoder<Contract>("contract", "id", "id", (r) => ({
  id: field(r.id, "id", requiredContractId),
  parentId: field(r.parent_id ?? r.parentId, "parent_id", optionalContractId),
  rootId: field(r.root_id ?? r.rootId, "root_id", optionalContractId),
  trdBuyId: field(r.trd_buy_id ?? r.trdBuyId, "trd_buy_id", optionalInteger),
  statusId: field(r.ref_contract_status_id ?? r.refContractStatusId, "ref_contract_status_id", optionalInteger),
  typeId: field(r.ref_contract_type_id ?? r.refContractTypeId, "ref_contract_type_id", optionalInteger),
  yearTypeId: field(
    r.ref_contract_year_type_id ?? r.refContractYearTypeId,
    "ref_contract_year_type_id",
    optionalInteger
  ),
  subjectTypeId: field(r.ref_subject_type_id ?? r.refSubjectTypeId, "ref_subject_type_id", optionalInteger),
  deleted: field(r.deleted, "deleted", flag),
  crdate: field(r.crdate, "crdate", requiredInstant),
  lastUpdateDate: field(r.last_update_date ?? r.lastUpdateDate, "last_update_date", optionalInstant),
  signDate: field(r.sign_date ?? r.signDate, "sign_date", optionalInstant),
  customerBin: field(r.customer_bin ?? r.customerBin, "customer_bin", optionalBin),
  supplierBin: field(r.supplier_biin ?? r.supplierBiin, "supplier_biin", optionalBin),
  contractNumber: field(r.contract_number ?? r.contractNumber, "contract_number", optionalText),
  contractNumberSys: field(r.contract_number_sys ?? r.contractNumberSys, "contract_number_sys", optionalText),
  finYear: field(r.fin_year ?? r.finYear, "fin_year", optionalInteger),
  currencyCode: field(r.ref_currency_code ?? r.refCurrencyCode, "ref_currency_code", optionalText),
  contractSum: field(r.contract_sum ?? r.contractSum, "contract_sum", optionalMoney),
  contractSumWnds: field(r.contract_sum_wnds ?? r.contractSumWnds, "contract_sum_wnds", optionalMoney),
  faktSum: field(r.fakt_sum ?? r.faktSum, "fakt_sum", optionalMoney),
  faktSumWnds: field(r.fakt_sum_wnds ?? r.faktSumWnds, "fakt_sum_wnds", optionalMoney),
  ecEndDate: field(r.ec_end_date ?? r.ecEndDate, "ec_end_date", optionalInstant),
  planExecDate: field(r.plan_exec_date ?? r.planExecDate, "plan_exec_date", optionalInstant),
  faktExecDate: field(r.fakt_exec_date ?? r.faktExecDate, "fakt_exec_date", optionalInstant),
  contractEndDate: field(r.contract_end_date ?? r.contractEndDate, "contract_end_date", optionalInstant),
  cancelId: field(r.ref_contract_cancel_id ?? r.refContractCancelId, "ref_contract_cancel_id", optionalInteger),
  descriptionRu: field(r.description_ru ?? r.descriptionRu, "description_ru", optionalText)
}))

export const decodeUnit = decoder<ContractUnit>("unit", "id", "id", (r) => ({
  id: field(r.id, "id", required(positiveId<UnitId>())),
  contractId: field(either(r.contract_id, r.contractId), "contract_id", requiredContractId),
  lotId: field(r.lot_id ?? r.lotId, "lot_id", nullable(positiveId<LotId>())),
  plnPointId: field(r.pln_point_id ?? r.plnPointId, "pln_point_id", optionalInteger),
  totalSum: field(r.total_sum ?? r.totalSum, "total_sum", optionalMoney)
}))

export const decodeLot = decoder<Lot>("lot", "id", "id", (r) => ({
  id: field(r.id, "id", required(positiveId<LotId>())),
  trdBuyId: field(r.trd_buy_id ?? r.trdBuyId, "trd_buy_id", optionalInteger),
  amount: field(r.amount, "amount", required(money)),
  customerBin: field(r.customer_bin ?? r.customerBin, "customer_bin", optionalBin),
  lastUpdateDate: field(r.last_update_date ?? r.lastUpdateDate, "last_update_date", optionalInstant)
}))

export const decodePayment = decoder<Payment>("payment", "id", "id", (r) => ({
  id: field(r.id, "id", required(positiveId<PaymentId>())),
  contractId: field(either(r.contract_id, r.contractId), "contract_id", requiredContractId),
  payDate: field(either(r.pay_date, r.payDate), "pay_date", requiredInstant),
  payAmount: field(either(r.pay_amount, r.payAmount), "pay_amount", required(money)),
  prepaySum: field(r.prepay_sum ?? r.prepaySum, "prepay_sum", optionalMoney)
}))

export const decodeSubject = decoder<Subject>("subject", "bin", "bin", (r) => ({
  bin: field(r.bin, "bin", required(bin)),
  nameRu: field(r.name_ru ?? r.nameRu, "name_ru", optionalText),
  nameKz: field(r.name_kz ?? r.nameKz, "name_kz", optionalText),
  kato: field(r.kato, "kato", nullable(kato as Parser<Kato>))
}))

export const decodeRefEntry = decoder<RefBookEntry>("ref", "id", "id", (r) => ({
  book: field(r.book, "book", required(text)),
  id: field(r.id, "id", required(integer)),
  code: field(r.code, "code", optionalText),
  nameRu: field(either(r.name_ru, r.nameRu), "name_ru", required(text)),
  nameKz: field(r.name_kz ?? r.nameKz, "name_kz", optionalText)
}))

/** Decodes a raw OWS record of the given kind into a tagged domain record. */
export const decodeRecord = (kind: RecordKind, raw: unknown): Decoded<ProcurementRecord> => {
  switch (kind) {
    case "contract":
      return tag("contract", decodeContract(raw))
    case "unit":
      return tag("unit", decodeUnit(raw))
    case "lot":
      return tag("lot", decodeLot(raw))
    case "payment":
      return tag("payment", decodePayment(raw))
    case "subject":
      return tag("subject", decodeSubject(raw))
    case "ref":
      return tag("ref", decodeRefEntry(raw))
    default:
      // The kind often comes from data (a file name, a JavaScript caller): an unknown one is this record's fault.
      return {
        ok: false,
        rejection: new RecordRejection({
          kind: shownRecordId(kind),
          field: "(kind)",
          value: showValue(kind),
          reason: `unknown record kind; known: ${RECORD_KINDS.join(", ")}`
        })
      }
  }
}

const tag = <K extends RecordKind>(
  kind: K,
  decoded: Decoded<Extract<ProcurementRecord, { kind: K }>["value"]>
): Decoded<ProcurementRecord> =>
  decoded.ok ? { ok: true, value: { kind, value: decoded.value } as ProcurementRecord } : decoded

/**
 * The OWS file name of each record kind in a folder export (one JSON object per line).
 * Real OWS downloads saved page by page (`{items: [...]}`) are accepted by the file source too.
 */
export const FILE_OF_KIND: Readonly<Record<RecordKind, string>> = {
  contract: "contracts.jsonl",
  unit: "contract_units.jsonl",
  lot: "lots.jsonl",
  payment: "treasury_payments.jsonl",
  subject: "subjects.jsonl",
  ref: "refs.jsonl"
}
