import type {
  Contract,
  ContractUnit,
  Lot,
  Payment,
  ProcurementRecord,
  RecordKind,
  RefBookEntry,
  Subject
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
import { RecordRejection, showValue } from "./RecordRejection.ts"

type FieldTable<A> = { readonly [K in keyof A]: readonly [owsName: string, parser: Parser<A[K]>] }

interface Compiled<A> {
  readonly keys: ReadonlyArray<keyof A & string>
  readonly snake: ReadonlyArray<string>
  readonly camel: ReadonlyArray<string>
  readonly parsers: ReadonlyArray<Parser<unknown>>
  readonly idField: string
}

const camelCase = (snake: string): string => snake.replace(/_([a-z])/gu, (_, c: string) => c.toUpperCase())

const compile = <A>(table: FieldTable<A>, idField: string): Compiled<A> => {
  const keys = Object.keys(table) as Array<keyof A & string>
  const entries = keys.map((k) => table[k] as readonly [string, Parser<unknown>])
  return {
    keys,
    snake: entries.map(([name]) => name),
    camel: entries.map(([name]) => camelCase(name)),
    parsers: entries.map(([, parser]) => parser),
    idField
  }
}

/** Result of decoding one raw record: the domain value, or why it was rejected. */
export type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly rejection: RecordRejection }

const decodeWith =
  <A>(kind: RecordKind, fields: Compiled<A>) =>
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
    const record = raw as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.keys.length; i++) {
      const snake = fields.snake[i] as string
      // REST gives snake_case and GraphQL camelCase; both name the same field.
      const input = snake in record ? record[snake] : record[fields.camel[i] as string]
      const parsed = (fields.parsers[i] as Parser<unknown>)(input)
      if (parsed instanceof Problem) {
        const id = record[fields.idField] ?? record[camelCase(fields.idField)]
        return {
          ok: false,
          rejection: new RecordRejection({
            kind,
            field: snake,
            value: showValue(input),
            reason: parsed.reason,
            ...(id === undefined || id === null ? {} : { recordId: String(id) })
          })
        }
      }
      out[fields.keys[i] as string] = parsed
    }
    return { ok: true, value: out as A }
  }

const contractId = positiveId<ContractId>()

const contractFields = compile<Contract>(
  {
    id: ["id", required(contractId)],
    parentId: ["parent_id", nullable(contractId)],
    rootId: ["root_id", nullable(contractId)],
    trdBuyId: ["trd_buy_id", nullable(integer)],
    statusId: ["ref_contract_status_id", nullable(integer)],
    typeId: ["ref_contract_type_id", nullable(integer)],
    yearTypeId: ["ref_contract_year_type_id", nullable(integer)],
    subjectTypeId: ["ref_subject_type_id", nullable(integer)],
    deleted: ["deleted", flag],
    crdate: ["crdate", required(instant)],
    lastUpdateDate: ["last_update_date", nullable(instant)],
    signDate: ["sign_date", nullable(instant)],
    customerBin: ["customer_bin", nullable(bin)],
    supplierBin: ["supplier_biin", nullable(bin)],
    contractNumber: ["contract_number", nullable(text)],
    contractNumberSys: ["contract_number_sys", nullable(text)],
    finYear: ["fin_year", nullable(integer)],
    currencyCode: ["ref_currency_code", nullable(text)],
    contractSum: ["contract_sum", nullable(money)],
    contractSumWnds: ["contract_sum_wnds", nullable(money)],
    faktSum: ["fakt_sum", nullable(money)],
    faktSumWnds: ["fakt_sum_wnds", nullable(money)],
    ecEndDate: ["ec_end_date", nullable(instant)],
    planExecDate: ["plan_exec_date", nullable(instant)],
    faktExecDate: ["fakt_exec_date", nullable(instant)],
    contractEndDate: ["contract_end_date", nullable(instant)],
    cancelId: ["ref_contract_cancel_id", nullable(integer)],
    descriptionRu: ["description_ru", nullable(text)]
  },
  "id"
)

const unitFields = compile<ContractUnit>(
  {
    id: ["id", required(positiveId<UnitId>())],
    contractId: ["contract_id", required(contractId)],
    lotId: ["lot_id", nullable(positiveId<LotId>())],
    plnPointId: ["pln_point_id", nullable(integer)],
    totalSum: ["total_sum", nullable(money)]
  },
  "id"
)

const lotFields = compile<Lot>(
  {
    id: ["id", required(positiveId<LotId>())],
    trdBuyId: ["trd_buy_id", nullable(integer)],
    amount: ["amount", required(money)],
    customerBin: ["customer_bin", nullable(bin)],
    lastUpdateDate: ["last_update_date", nullable(instant)]
  },
  "id"
)

const paymentFields = compile<Payment>(
  {
    id: ["id", required(positiveId<PaymentId>())],
    contractId: ["contract_id", required(contractId)],
    payDate: ["pay_date", required(instant)],
    payAmount: ["pay_amount", required(money)],
    prepaySum: ["prepay_sum", nullable(money)]
  },
  "id"
)

const subjectFields = compile<Subject>(
  {
    bin: ["bin", required(bin)],
    nameRu: ["name_ru", nullable(text)],
    nameKz: ["name_kz", nullable(text)],
    kato: ["kato", nullable(kato as Parser<Kato>)]
  },
  "bin"
)

const refFields = compile<RefBookEntry>(
  {
    book: ["book", required(text)],
    id: ["id", required(integer)],
    code: ["code", nullable(text)],
    nameRu: ["name_ru", required(text)],
    nameKz: ["name_kz", nullable(text)]
  },
  "id"
)

export const decodeContract = decodeWith<Contract>("contract", contractFields)
export const decodeUnit = decodeWith<ContractUnit>("unit", unitFields)
export const decodeLot = decodeWith<Lot>("lot", lotFields)
export const decodePayment = decodeWith<Payment>("payment", paymentFields)
export const decodeSubject = decodeWith<Subject>("subject", subjectFields)
export const decodeRefEntry = decodeWith<RefBookEntry>("ref", refFields)

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
