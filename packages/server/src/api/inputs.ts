import {
  Bin,
  ContractId,
  DecimalText,
  formatAlmaty,
  Instant,
  MeasureRange,
  parseTimestamp,
  RegionCode,
  RunId,
  UserId
} from "@adalqarau/core"
import { Schema, SchemaTransformation } from "effect"

/**
 * Request shapes shared by RPC and REST. Where the two differ (REST query strings are flat), both decode to the
 * same use-case input, so the transports only map fields, never decide anything.
 */

const instantOf = (text: string): number => {
  const parsed = parseTimestamp(text)
  return typeof parsed === "number" ? parsed : Number.NaN
}

/**
 * A date or timestamp in a request: "2024-01-31", "2024-01-31 10:20:30" (Asia/Almaty wall-clock time, as goszakup
 * writes them) or ISO 8601 with an offset. Decodes to epoch milliseconds.
 */
export const DateInput = Schema.String.annotate({
  description: "A date (2024-01-31) or timestamp (2024-01-31 10:20:30, Asia/Almaty time, or ISO 8601 with an offset)",
  examples: ["2024-01-31", "2024-01-31 10:20:30", "2024-01-31T10:20:30+05:00"]
})
  .check(
    Schema.makeFilter((text: string) => {
      const parsed = parseTimestamp(text)
      return typeof parsed === "number" ? true : parsed
    })
  )
  .pipe(
    Schema.decodeTo(
      Instant,
      SchemaTransformation.transform({ decode: instantOf, encode: (instant: number) => formatAlmaty(instant) })
    )
  )

export const PageLimit = (maximum: number) =>
  Schema.Int.check(Schema.isBetween({ minimum: 1, maximum }, { message: `limit must be between 1 and ${maximum}` }))

export const DEFAULT_PAGE = 100

/** "unknown" stands for findings whose customer has no known region (admins only). */
export const FindingRegion = Schema.Union([RegionCode, Schema.Literal("unknown")])
export type FindingRegion = typeof FindingRegion.Type

export const ContractSearchFields = {
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  /** Exact contract number (`contract_number` or `contract_number_sys`). */
  number: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  signedFrom: Schema.optional(DateInput),
  signedTo: Schema.optional(DateInput),
  /** Narrows the caller's regions; it never widens them. */
  regions: Schema.optional(Schema.Array(RegionCode)),
  afterId: Schema.optional(ContractId),
  limit: Schema.optional(PageLimit(500))
}
export const ContractSearchRequest = Schema.Struct(ContractSearchFields)
export type ContractSearchRequest = typeof ContractSearchRequest.Type

export const ContractIdParams = { id: ContractId }

const findingFilterFields = {
  indicators: Schema.optional(Schema.Array(Schema.String)),
  regions: Schema.optional(Schema.Array(FindingRegion)),
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  dateFrom: Schema.optional(DateInput),
  dateTo: Schema.optional(DateInput)
}

/** Findings filter as RPC sends it: the measure range is one object. */
export const FindingFilterRequest = Schema.Struct({
  ...findingFilterFields,
  measure: Schema.optional(MeasureRange)
})
export type FindingFilterRequest = typeof FindingFilterRequest.Type

export const FindingQueryRequest = Schema.Struct({
  ...FindingFilterRequest.fields,
  afterKey: Schema.optional(Schema.String),
  /** Findings are in key order (`<indicator>:<id>`), the order keyset paging follows. */
  sort: Schema.optional(Schema.Literal("key")),
  limit: Schema.optional(PageLimit(1000))
})
export type FindingQueryRequest = typeof FindingQueryRequest.Type

/** The same filter as REST query parameters: `measure=reduction_pct&measureMin=50`. */
export const FindingFilterQuery = {
  indicators: Schema.optional(Schema.Array(Schema.String)),
  regions: Schema.optional(Schema.Array(FindingRegion)),
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  dateFrom: Schema.optional(DateInput),
  dateTo: Schema.optional(DateInput),
  measure: Schema.optional(Schema.String.check(Schema.isMinLength(1))),
  measureMin: Schema.optional(DecimalText),
  measureMax: Schema.optional(DecimalText)
}
export const FindingQueryQuery = {
  ...FindingFilterQuery,
  afterKey: Schema.optional(Schema.String),
  sort: Schema.optional(Schema.Literal("key")),
  limit: Schema.optional(PageLimit(1000))
}

export const LoginRequest = Schema.Struct({
  username: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  /** Not checked for length here: a login must not reveal the password policy's edge cases. */
  password: Schema.RedactedFromValue(Schema.String.check(Schema.isMaxLength(1024)))
})

export const RefreshRequest = Schema.Struct({ refreshToken: Schema.String.check(Schema.isMinLength(1)) })

const FilterIds = Schema.optionalKey(Schema.Array(Schema.Int))

/**
 * Run parameters: params.json content. Indicator sections are checked against the catalogue when the run starts.
 * Optional keys may be left out but not set to null/undefined: the parameters are stored as JSON.
 */
export const RunParams = Schema.Struct({
  filters: Schema.optionalKey(
    Schema.Struct({ contractTypeIds: FilterIds, yearTypeIds: FilterIds, statusIds: FilterIds })
  ),
  indicators: Schema.optionalKey(Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Json))),
  only: Schema.optionalKey(Schema.Array(Schema.String))
})
export type RunParams = typeof RunParams.Type

export const StartRunRequest = Schema.Struct({ params: Schema.optional(RunParams) })

export const RunIdParams = { id: RunId }

export const RunListQuery = {
  beforeId: Schema.optional(RunId),
  limit: Schema.optional(PageLimit(100))
}

export const UserIdParams = { id: UserId }

export const UserListQuery = {
  afterUsername: Schema.optional(Schema.String),
  limit: Schema.optional(PageLimit(500))
}
