import { Context, type Effect, Schema } from "effect"
import { Bin } from "../domain/Bin.ts"
import { Instant } from "../domain/Ids.ts"
import { RegionCode } from "../domain/Region.ts"
import { decodingProblem } from "../domain/decodingProblem.ts"
import { unstorableInText } from "../domain/storableText.ts"
import { Finding } from "../indicators/Finding.ts"

export class FindingStoreError extends Schema.TaggedError<FindingStoreError>()("FindingStoreError", {
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** A decimal number as text ("50", "-5.5", "0.8"); compared exactly, never through floating point. */
export const DecimalText = Schema.String.check(
  Schema.isPattern(/^-?\d+(?:\.\d+)?$/u, { message: "expected a decimal number such as 50, 0.8 or -5.5" }),
  // Measures are short; a bound of 140,000 digits overflowed PostgreSQL's numeric and answered as a store outage.
  Schema.isMaxLength(64, { message: "a decimal number of at most 64 characters" })
)

/**
 * Findings whose measure `name` lies in [min, max] (both bounds inclusive, either may be left out), compared as
 * exact decimals: `{ name: "reduction_pct", min: "50" }` is "reduction ≥ 50 %". A finding without that measure
 * does not match.
 */
export const MeasureRange = Schema.Struct({
  name: Schema.String.check(Schema.isMinLength(1)),
  min: Schema.optional(DecimalText),
  max: Schema.optional(DecimalText)
})
export type MeasureRange = typeof MeasureRange.Type

export const FindingFilter = Schema.Struct({
  indicators: Schema.optional(Schema.Array(Schema.String)),
  /** Customer regions to include; `null` in the list stands for "region unknown". */
  regions: Schema.optional(Schema.Array(Schema.NullOr(RegionCode))),
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  dateFrom: Schema.optional(Instant),
  dateTo: Schema.optional(Instant),
  measure: Schema.optional(MeasureRange)
})
export type FindingFilter = typeof FindingFilter.Type

export const FindingQuery = Schema.Struct({
  ...FindingFilter.fields,
  /** Keyset paging: findings whose key sorts after this one (findings are ordered by key). */
  afterKey: Schema.optional(Schema.String),
  limit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))
})
export type FindingQuery = typeof FindingQuery.Type

export const FindingPage = Schema.Struct({
  findings: Schema.Array(Finding),
  /** The key to pass as `afterKey` for the next page; null on the last page. */
  nextKey: Schema.NullOr(Schema.String)
})
export type FindingPage = typeof FindingPage.Type

export const FindingCount = Schema.Struct({
  indicator: Schema.String,
  region: Schema.NullOr(RegionCode),
  count: Schema.Int
})
export type FindingCount = typeof FindingCount.Type

const decodeFinding = Schema.decodeUnknownExit(Finding)

/**
 * The finding's key, for a message. A finding that failed to decode may be anything (null, its key left out): it is
 * named as such rather than as `finding "undefined"`, or by a TypeError.
 */
const findingName = (finding: Finding): string => {
  const value: unknown = finding
  const key = typeof value === "object" && value !== null ? (value as Readonly<Record<string, unknown>>).key : undefined
  return key === undefined || key === null
    ? "a finding without a key"
    : `finding ${JSON.stringify(String(key).slice(0, 80))}`
}

/**
 * Why a store cannot keep a finding as given, or undefined: fields as `Finding` types them, and texts as PostgreSQL
 * keeps them (no NUL, no lone surrogate: the SQL store's insert failed on a NUL and stored a lone surrogate as
 * U+FFFD). Engines build findings from decoded data, so only a custom indicator or hand-built findings meet this;
 * every store checks it the same way, so that a test on the in-memory one meets the refusal production meets.
 */
export const findingWriteProblem = (finding: Finding): string | undefined => {
  const which = findingName(finding)
  const undecodable = decodingProblem(decodeFinding(finding))
  if (undecodable !== undefined) return `${which} is not a Finding: ${undecodable}`
  const texts: Array<readonly [string, string]> = [
    ["key", finding.key],
    ["indicator", finding.indicator],
    ["explanation.ru", finding.explanation.ru],
    ["explanation.en", finding.explanation.en]
  ]
  for (const [section, values] of [
    ["measures", finding.measures],
    ["thresholds", finding.thresholds]
  ] as const) {
    for (const [name, value] of Object.entries(values))
      texts.push([`${section} name`, name], [`${section}.${name}`, value])
  }
  for (const [field, text] of texts) {
    const problem = unstorableInText(text)
    if (problem !== undefined) return `${which}: ${field} must not contain ${problem}`
  }
  return undefined
}

/** The first finding of a batch a store cannot keep, as a `replace` error: the batch is written whole or not at all. */
export const findingsWriteError = (findings: ReadonlyArray<Finding>): FindingStoreError | undefined => {
  for (const finding of findings) {
    const problem = findingWriteProblem(finding)
    if (problem !== undefined)
      return new FindingStoreError({ operation: "replace", message: `invalid replace: ${problem}` })
  }
  return undefined
}

/** The latest findings of each indicator. A run replaces the findings of the indicators it evaluated. */
export class FindingStore extends Context.Service<
  FindingStore,
  {
    readonly replace: (
      indicators: ReadonlyArray<string>,
      findings: ReadonlyArray<Finding>
    ) => Effect.Effect<void, FindingStoreError>
    readonly query: (query: FindingQuery) => Effect.Effect<FindingPage, FindingStoreError>
    /** Findings counted by indicator × customer region. */
    readonly counts: (filter: FindingFilter) => Effect.Effect<ReadonlyArray<FindingCount>, FindingStoreError>
  }
>()("@adalqarau/core/FindingStore") {}
