/**
 * Terse builders for the core tests: valid BINs from small seeds, decoded domain records from plain specs
 * (tenge as decimal text or numbers, times as goszakup wall-clock text), raw OWS records, and a synchronous runner.
 */
import { Effect } from "effect"
import {
  analyzeRecords,
  type Bin,
  completeBin,
  type Contract,
  type ContractId,
  type EvaluationResult,
  type Finding,
  type IndicatorRegistry,
  type IndicatorStats,
  type Instant,
  type Kato,
  type LotId,
  type PaymentId,
  type ProcurementRecord,
  parseTenge,
  parseTimestamp,
  type Tiyn,
  type UnitId
} from "../src/index.ts"

/**
 * A valid BIN derived from a seed; distinct seeds give distinct BINs (the seed fills the first 10 digits, the
 * 11th digit is searched so that a check digit exists).
 */
export const binOf = (seed: number): Bin => {
  for (let j = 0; j < 10; j++) {
    const bin = completeBin(String(seed * 10 + j).padStart(11, "0"))
    if (bin !== undefined) return bin
  }
  throw new Error(`no BIN for seed ${seed}`)
}

export const CUSTOMER = binOf(1001)
export const SUPPLIER = binOf(2001)

/** KATO of Astana (region 71) and of Almaty city (region 75). */
export const KATO_ASTANA = "711110000"
export const KATO_ALMATY = "751110000"

/** Tenge (decimal text or number) to tiyn; throws on anything `parseTenge` rejects. */
export const tenge = (amount: string | number): Tiyn => {
  const parsed = parseTenge(amount)
  if (typeof parsed === "string") throw new Error(parsed)
  return parsed
}

/** Goszakup time text (Almaty wall clock unless it carries a zone) to an instant; throws when invalid. */
export const at = (text: string): Instant => {
  const parsed = parseTimestamp(text)
  if (typeof parsed === "string") throw new Error(parsed)
  return parsed as Instant
}

const money = (amount: string | number | null | undefined): Tiyn | null =>
  amount === null || amount === undefined ? null : tenge(amount)

const time = (text: string | null | undefined): Instant | null =>
  text === null || text === undefined ? null : at(text)

/** A contract version in plain terms; everything but `id` has a default that passes the common filters. */
export interface ContractSpec {
  readonly id: number
  readonly parent?: number | null
  readonly root?: number | null
  readonly status?: number | null
  readonly type?: number | null
  readonly yearType?: number | null
  readonly deleted?: boolean
  readonly crdate?: string
  readonly sign?: string | null
  readonly updated?: string | null
  readonly customer?: string | null
  readonly supplier?: string | null
  /** contract_sum_wnds in tenge */
  readonly sum?: string | number | null
  /** fakt_sum_wnds in tenge */
  readonly fakt?: string | number | null
}

export const contract = (spec: ContractSpec): Contract => ({
  id: spec.id as ContractId,
  parentId: (spec.parent ?? null) as ContractId | null,
  rootId: (spec.root ?? null) as ContractId | null,
  trdBuyId: null,
  statusId: spec.status === undefined ? 190 : spec.status,
  typeId: spec.type === undefined ? 1 : spec.type,
  yearTypeId: spec.yearType === undefined ? 1 : spec.yearType,
  subjectTypeId: 1,
  deleted: spec.deleted ?? false,
  crdate: at(spec.crdate ?? "2023-05-10 10:00:00"),
  lastUpdateDate: time(spec.updated),
  signDate: time(spec.sign === undefined ? "2023-05-10 12:00:00" : spec.sign),
  customerBin: (spec.customer === undefined ? CUSTOMER : spec.customer) as Bin | null,
  supplierBin: (spec.supplier === undefined ? SUPPLIER : spec.supplier) as Bin | null,
  contractNumber: null,
  contractNumberSys: null,
  finYear: 2023,
  currencyCode: "KZT",
  contractSum: null,
  contractSumWnds: spec.sum === undefined ? tenge(1000) : money(spec.sum),
  faktSum: null,
  faktSumWnds: money(spec.fakt),
  ecEndDate: null,
  planExecDate: null,
  faktExecDate: null,
  contractEndDate: null,
  cancelId: null,
  descriptionRu: null
})

export const rec = {
  contract: (spec: ContractSpec): ProcurementRecord => ({ kind: "contract", value: contract(spec) }),
  unit: (id: number, contractId: number, lotId: number | null): ProcurementRecord => ({
    kind: "unit",
    value: {
      id: id as UnitId,
      contractId: contractId as ContractId,
      lotId: lotId as LotId | null,
      plnPointId: null,
      totalSum: null
    }
  }),
  lot: (id: number, amount: string | number, updated: string | null = null): ProcurementRecord => ({
    kind: "lot",
    value: { id: id as LotId, trdBuyId: null, amount: tenge(amount), customerBin: null, lastUpdateDate: time(updated) }
  }),
  payment: (id: number, contractId: number, payDate: string, amount: string | number = 1): ProcurementRecord => ({
    kind: "payment",
    value: {
      id: id as PaymentId,
      contractId: contractId as ContractId,
      payDate: at(payDate),
      payAmount: tenge(amount),
      prepaySum: null
    }
  }),
  subject: (bin: string, kato: string | null): ProcurementRecord => ({
    kind: "subject",
    value: { bin: bin as Bin, nameRu: null, nameKz: null, kato: kato as Kato | null }
  })
}

/**
 * A root contract with its plan: one unit pointing at one lot of amount `plan` (unit and lot take the contract's
 * id, so tests must keep contract ids distinct).
 */
export const tendered = (spec: ContractSpec & { readonly plan: string | number }): ReadonlyArray<ProcurementRecord> => [
  rec.contract(spec),
  rec.unit(spec.id, spec.id, spec.id),
  rec.lot(spec.id, spec.plan)
]

/** A minimal valid OWS contract record (REST, snake_case); `overrides` replace or add fields. */
export const rawContract = (overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({
  id: 101,
  parent_id: null,
  root_id: null,
  trd_buy_id: 5001,
  ref_contract_status_id: 190,
  ref_contract_type_id: 1,
  ref_contract_year_type_id: 1,
  ref_subject_type_id: 2,
  deleted: 0,
  crdate: "2023-05-10 10:00:00",
  last_update_date: "2023-05-11 09:00:00",
  sign_date: "2023-05-10 12:00:00",
  customer_bin: CUSTOMER,
  supplier_biin: SUPPLIER,
  contract_number: "N-101",
  contract_number_sys: "SYS-101",
  fin_year: 2023,
  ref_currency_code: "KZT",
  contract_sum: "892.86",
  contract_sum_wnds: "1000.00",
  fakt_sum: null,
  fakt_sum_wnds: null,
  ec_end_date: "2023-12-31",
  plan_exec_date: null,
  fakt_exec_date: null,
  contract_end_date: null,
  ref_contract_cancel_id: null,
  description_ru: "Поставка",
  ...overrides
})

/** Runs the registry synchronously (the in-memory engine is pure); throws on a params error. */
export const run = (
  records: Iterable<ProcurementRecord>,
  params: unknown = {},
  registry?: IndicatorRegistry
): EvaluationResult =>
  Effect.runSync(analyzeRecords(records, registry === undefined ? { params } : { params, registry }))

/** Runs a single standard indicator with its parameters (and optional common filters). */
export const runOne = (
  code: string,
  records: Iterable<ProcurementRecord>,
  params: Readonly<Record<string, unknown>> = {},
  filters?: Readonly<Record<string, unknown>>
): EvaluationResult =>
  run(records, { only: [code], indicators: { [code]: params }, ...(filters === undefined ? {} : { filters }) })

export const findingsOf = (result: EvaluationResult, code: string): ReadonlyArray<Finding> =>
  result.findings.filter((f) => f.indicator === code)

export const statsOf = (result: EvaluationResult, code: string): IndicatorStats => {
  const stats = result.stats[code]
  if (stats === undefined) throw new Error(`no stats for ${code}`)
  return stats
}

/** The ids of the contracts an indicator flagged, sorted. */
export const flaggedIds = (result: EvaluationResult, code: string): ReadonlyArray<number> =>
  findingsOf(result, code)
    .flatMap((f) => (f.subject._tag === "contract" ? [f.subject.contractId as number] : []))
    .sort((a, b) => a - b)

/** The only finding of an indicator; throws when there is not exactly one. */
export const onlyFinding = (result: EvaluationResult, code: string): Finding => {
  const found = findingsOf(result, code)
  if (found.length !== 1) throw new Error(`expected one ${code} finding, got ${found.length}`)
  return found[0] as Finding
}
