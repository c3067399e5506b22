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
  UserId,
  unstorableInText
} from "@adalqarau/core"
import { Schema, SchemaParser, SchemaTransformation } from "effect"

/**
 * Request shapes shared by RPC and REST. Where the two differ (REST query strings are flat), both decode to the
 * same use-case input, so the transports only map fields, never decide anything.
 */

/**
 * Free text in a request (a key, a name, a contract number) that PostgreSQL keeps as written (no NUL, no lone
 * surrogate): the store would refuse the query, and the caller would get 503 for its own typo, so it is refused here
 * as a 400 on the field.
 */
export const Text = Schema.String.check(
  Schema.makeFilter((text: string) => {
    const problem = unstorableInText(text)
    return problem === undefined || `must not contain ${problem}`
  })
)

const EXCESS_KEYS_REFUSED = { onExcessProperty: "error" } as const

/**
 * `schema` as a payload that refuses keys it does not declare, at any depth: a misspelt key ("indicator",
 * "parms") must answer 400, not run on defaults. RPC applies one set of parse options to a procedure's payload and
 * its answers alike, and answers should stay lenient, so the strictness lives in the payload schema instead.
 * (REST gets the same through `HttpApi.PayloadParseOptions`, which keeps the documented body schema intact.)
 */
export const closed = <S extends Schema.Codec<unknown, unknown>>(schema: S) => {
  const json = Schema.toCodecJson(schema)
  const decode = SchemaParser.decodeUnknownEffect(json)
  const encode = SchemaParser.encodeEffect(json)
  return Schema.Unknown.pipe(
    Schema.decodeTo(
      Schema.toType(schema),
      SchemaTransformation.transformEffect({
        decode: (input: unknown, options) => decode(input, { ...options, ...EXCESS_KEYS_REFUSED }),
        encode: (value: S["Type"], options) => encode(value, options)
      })
    )
  )
}

const instantOf = (text: string): number => {
  const parsed = parseTimestamp(text)
  return typeof parsed === "number" ? parsed : Number.NaN
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/u

/** The last millisecond of an Almaty calendar day given as YYYY-MM-DD; other texts as they are. */
const endOfDayText = (text: string): string => (DATE_ONLY.test(text.trim()) ? `${text.trim()} 23:59:59.999` : text)

const dateInput = (description: string, read: (text: string) => string) =>
  Schema.String.annotate({
    description,
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
        SchemaTransformation.transform({
          decode: (text: string) => instantOf(read(text)),
          encode: (instant: number) => formatAlmaty(instant)
        })
      )
    )

/**
 * A date or timestamp in a request: "2024-01-31", "2024-01-31 10:20:30" (Asia/Almaty wall-clock time, as goszakup
 * writes them) or ISO 8601 with an offset. Decodes to epoch milliseconds; a date alone is the start of that day.
 */
export const DateInput = dateInput(
  "A date (2024-01-31: from the start of that Almaty day) or timestamp (2024-01-31 10:20:30 or 2024-01-31T10:20, Asia/Almaty time; or ISO 8601 with an offset)",
  (text) => text
)

/**
 * The end of a range, inclusive: a date alone takes in the whole of that Almaty day (`dateTo=2024-01-31` includes
 * a contract signed at 2024-01-31 10:00), as the CLI's `--to` does; a timestamp is the bound itself.
 */
export const DateToInput = dateInput(
  "An inclusive end: a date (2024-01-31: to the end of that Almaty day) or timestamp (2024-01-31 10:20:30 or 2024-01-31T10:20, Asia/Almaty time; or ISO 8601 with an offset)",
  endOfDayText
)

export const DEFAULT_PAGE = 100

export const PageLimit = (maximum: number) =>
  Schema.Int.check(Schema.isBetween({ minimum: 1, maximum }, { message: `limit must be between 1 and ${maximum}` }))

const DIGITS = /^[0-9]+$/u

/**
 * A whole number as a query string or path carries it. A number schema there reads any JavaScript number text
 * (`1e3`, `+5`, `1.5`) and documents just that; this accepts decimal digits only, checks `to`'s own bounds, and
 * says both in the OpenAPI document (the pattern, and `description` for the bounds a string schema cannot state),
 * so a generated client sends what the server takes.
 */
const wholeNumberText = <S extends Schema.Codec<unknown, number>>(
  to: S,
  texts: { readonly description: string; readonly message: string }
) =>
  Schema.String.annotate({ description: texts.description })
    .check(
      Schema.isPattern(DIGITS, { message: texts.message }),
      // Past 2^53 − 1 the digits no longer name one number ("Expected an integer" said nothing useful).
      Schema.makeFilter((text: string) => Number(text) <= Number.MAX_SAFE_INTEGER || texts.message)
    )
    .pipe(Schema.decodeTo(to, SchemaTransformation.numberFromString))

/** `limit` in a query string: digits only, 1 to `maximum`. */
export const PageLimitText = (maximum: number) =>
  wholeNumberText(PageLimit(maximum), {
    description: `Page size: a whole number from 1 to ${maximum} (default ${DEFAULT_PAGE})`,
    message: `limit must be a whole number from 1 to ${maximum}`
  })

const ContractIdText = wholeNumberText(ContractId, {
  description: "A contract id: a whole number, 1 or more",
  message: `a contract id must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`
})
const RunIdText = wholeNumberText(RunId, {
  description: "A run id: a whole number, 1 or more",
  message: `a run id must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`
})

/** "unknown" stands for findings whose customer has no known region (admins only). */
export const FindingRegion = Schema.Union([RegionCode, Schema.Literal("unknown")])
export type FindingRegion = typeof FindingRegion.Type

export const ContractSearchFields = {
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  /** Exact contract number (`contract_number` or `contract_number_sys`). */
  number: Schema.optional(Text.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  signedFrom: Schema.optional(DateInput),
  signedTo: Schema.optional(DateToInput),
  /** Narrows the caller's regions; it never widens them. */
  regions: Schema.optional(Schema.Array(RegionCode)),
  afterId: Schema.optional(ContractId),
  limit: Schema.optional(PageLimit(500))
}
export const ContractSearchRequest = Schema.Struct(ContractSearchFields)
export type ContractSearchRequest = typeof ContractSearchRequest.Type

/** The same search as REST query parameters, numbers as digits. */
export const ContractSearchQuery = {
  ...ContractSearchFields,
  afterId: Schema.optional(ContractIdText),
  limit: Schema.optional(PageLimitText(500))
}

export const ContractIdParams = { id: ContractId }
export const ContractIdPath = { id: ContractIdText }

const findingFilterFields = {
  indicators: Schema.optional(Schema.Array(Text)),
  regions: Schema.optional(Schema.Array(FindingRegion)),
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  dateFrom: Schema.optional(DateInput),
  dateTo: Schema.optional(DateToInput)
}

const MeasureName = Text.check(Schema.isMinLength(1))

/** Findings filter as RPC sends it: the measure range is one object. */
export const FindingFilterRequest = Schema.Struct({
  ...findingFilterFields,
  measure: Schema.optional(Schema.Struct({ ...MeasureRange.fields, name: MeasureName }))
})
export type FindingFilterRequest = typeof FindingFilterRequest.Type

export const FindingQueryRequest = Schema.Struct({
  ...FindingFilterRequest.fields,
  afterKey: Schema.optional(Text),
  /** Findings are in key order (`<indicator>:<id>`), the order keyset paging follows. */
  sort: Schema.optional(Schema.Literal("key")),
  limit: Schema.optional(PageLimit(1000))
})
export type FindingQueryRequest = typeof FindingQueryRequest.Type

/** The same filter as REST query parameters: `measure=reduction_pct&measureMin=50`. */
export const FindingFilterQuery = {
  indicators: Schema.optional(Schema.Array(Text)),
  regions: Schema.optional(Schema.Array(FindingRegion)),
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  dateFrom: Schema.optional(DateInput),
  dateTo: Schema.optional(DateToInput),
  measure: Schema.optional(MeasureName),
  measureMin: Schema.optional(DecimalText),
  measureMax: Schema.optional(DecimalText)
}
export const FindingQueryQuery = {
  ...FindingFilterQuery,
  afterKey: Schema.optional(Text),
  sort: Schema.optional(Schema.Literal("key")),
  limit: Schema.optional(PageLimitText(1000))
}

export const LoginRequest = Schema.Struct({
  username: Text.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  /** Not checked for length here: a login must not reveal the password policy's edge cases. */
  password: Schema.RedactedFromValue(Schema.String.check(Schema.isMaxLength(1024)))
})

export const RefreshRequest = Schema.Struct({ refreshToken: Text.check(Schema.isMinLength(1)) })

/** Bounded: run parameters are stored with the run and returned with it in every listing. */
const FilterIds = Schema.optionalKey(
  Schema.Array(Schema.Int).check(Schema.isMaxLength(1000, { message: "at most 1000 ids" }))
)

/**
 * Run parameters: params.json content. Indicator sections are checked against the catalogue when the run starts.
 * Optional keys may be left out but not set to null/undefined: the parameters are stored as JSON.
 */
export const RunParams = Schema.Struct({
  filters: Schema.optionalKey(
    Schema.Struct({ contractTypeIds: FilterIds, yearTypeIds: FilterIds, statusIds: FilterIds })
  ),
  indicators: Schema.optionalKey(Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Json))),
  only: Schema.optionalKey(
    Schema.Array(Schema.String).check(Schema.isMaxLength(100, { message: "at most 100 indicator codes" }))
  )
})
export type RunParams = typeof RunParams.Type

export const StartRunRequest = Schema.Struct({ params: Schema.optional(RunParams) })

export const RunIdParams = { id: RunId }
export const RunIdPath = { id: RunIdText }

export const RunListRequest = {
  beforeId: Schema.optional(RunId),
  limit: Schema.optional(PageLimit(100))
}
export const RunListQuery = {
  beforeId: Schema.optional(RunIdText),
  limit: Schema.optional(PageLimitText(100))
}

export const UserIdParams = { id: UserId }

export const UserListRequest = {
  afterUsername: Schema.optional(Text),
  limit: Schema.optional(PageLimit(500))
}
export const UserListQuery = {
  ...UserListRequest,
  limit: Schema.optional(PageLimitText(500))
}
