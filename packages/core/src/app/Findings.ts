import { Effect, Option, Schema, Stream } from "effect"
import type { Bin } from "../domain/Bin.ts"
import type { Instant } from "../domain/Ids.ts"
import type { RegionCode } from "../domain/Region.ts"
import type { Finding } from "../indicators/Finding.ts"
import { FindingCount, type FindingFilter, FindingStore, type MeasureRange } from "../ports/FindingStore.ts"
import { compareFractions, fractionOfDecimal } from "../domain/Decimal.ts"
import { IndicatorCatalog } from "./Catalogue.ts"
import { InvalidInput, storeUnavailable, type Unavailable } from "./Errors.ts"
import { effectiveFindingRegions, type Principal, regionScopeOf, requirePermission } from "./Policy.ts"

export interface FindingSearchFilter {
  readonly indicators?: ReadonlyArray<string> | undefined
  /** Narrows the caller's regions (`null`: region unknown, admins only); it never widens them. */
  readonly regions?: ReadonlyArray<RegionCode | null> | undefined
  readonly customerBin?: Bin | undefined
  readonly supplierBin?: Bin | undefined
  readonly dateFrom?: Instant | undefined
  readonly dateTo?: Instant | undefined
  readonly measure?: MeasureRange | undefined
}

export interface FindingSearch extends FindingSearchFilter {
  readonly afterKey?: string | undefined
  /** At most 1000. */
  readonly limit: number
}

export const FindingCounts = Schema.Struct({ counts: Schema.Array(FindingCount) })
export type FindingCounts = typeof FindingCounts.Type

export const MAX_FINDING_PAGE = 1000
const EXPORT_PAGE = 1000

/** The store filter for a request: the caller's filter with its regions narrowed to what the caller may see. */
const scopedFilter = (principal: Principal, filter: FindingSearchFilter): FindingFilter => {
  const regions = effectiveFindingRegions(regionScopeOf(principal), filter.regions)
  return {
    indicators: filter.indicators,
    customerBin: filter.customerBin,
    supplierBin: filter.supplierBin,
    dateFrom: filter.dateFrom,
    dateTo: filter.dateTo,
    measure: filter.measure,
    ...(regions === undefined ? {} : { regions })
  }
}

/**
 * A filter that can only match nothing because it is wrong: an empty list of indicators, a code the catalogue does
 * not have (a typo, the wrong case, `a,b` written as one value), a measure none of those indicators declares or a
 * range over a date measure, or a range whose end comes before its start. Answering an empty page would read as
 * "no risks found". Fields are named as in the request (`measure.max`; REST renames them).
 */
export const checkFindingFilter = Effect.fn("Findings.checkFilter")(function* (filter: FindingSearchFilter) {
  const catalog = yield* IndicatorCatalog
  const known = catalog.indicators.map((indicator) => indicator.code)
  if (filter.indicators !== undefined && filter.indicators.length === 0) {
    return yield* new InvalidInput({
      field: "indicators",
      message: "an empty list of indicators matches nothing: leave it out for every indicator"
    })
  }
  for (const [index, code] of (filter.indicators ?? []).entries()) {
    if (!known.includes(code)) {
      return yield* new InvalidInput({
        field: `indicators.${index}`,
        message: `unknown indicator ${JSON.stringify(code)}: the catalogue has ${known.join(", ")}`
      })
    }
  }
  if (filter.dateFrom !== undefined && filter.dateTo !== undefined && filter.dateTo < filter.dateFrom) {
    return yield* new InvalidInput({ field: "dateTo", message: "dateTo is before dateFrom: the range holds nothing" })
  }
  if (filter.measure !== undefined) {
    // Only where every indicator in question declares its measures: a custom one may carry any.
    const about = catalog.indicators.filter(
      (i) => filter.indicators === undefined || filter.indicators.includes(i.code)
    )
    const measures = about.flatMap((i) => i.measureDocs ?? [])
    const declared = about.every((i) => i.measureDocs !== undefined)
    const measure = measures.find((m) => m.name === filter.measure?.name)
    if (declared && measure === undefined) {
      const names = [...new Set(measures.map((m) => m.name))]
      return yield* new InvalidInput({
        field: "measure.name",
        message: `unknown measure ${JSON.stringify(filter.measure.name)}: ${
          filter.indicators === undefined ? "the indicators" : "the indicators asked for"
        } have ${names.join(", ")}`
      })
    }
    const ranged = filter.measure.min !== undefined || filter.measure.max !== undefined
    if (ranged && measures.some((m) => m.name === filter.measure?.name && m.kind === "date")) {
      return yield* new InvalidInput({
        field: "measure.name",
        message: `${filter.measure.name} is a date, and a measure range compares decimals`
      })
    }
  }
  const { min, max } = filter.measure ?? {}
  if (min !== undefined && max !== undefined && compareFractions(fractionOfDecimal(max), fractionOfDecimal(min)) < 0) {
    return yield* new InvalidInput({ field: "measure.max", message: "the measure's max is below its min" })
  }
})

/** A page of findings in key order (the store's keyset order) within the caller's regions. */
export const queryFindings = Effect.fn("Findings.query")(function* (principal: Principal, search: FindingSearch) {
  yield* requirePermission(principal, "findings:read")
  yield* checkFindingFilter(search)
  return yield* (yield* FindingStore).query({
    ...scopedFilter(principal, search),
    afterKey: search.afterKey,
    limit: Math.min(search.limit, MAX_FINDING_PAGE)
  })
}, storeUnavailable)

/** Findings counted by indicator × customer region, within the caller's regions. */
export const countFindings = Effect.fn("Findings.counts")(function* (
  principal: Principal,
  filter: FindingSearchFilter
) {
  yield* requirePermission(principal, "findings:read")
  yield* checkFindingFilter(filter)
  const counts: FindingCounts = { counts: yield* (yield* FindingStore).counts(scopedFilter(principal, filter)) }
  return counts
}, storeUnavailable)

/**
 * Every finding matching the filter within the caller's regions, as a stream read page by page (keyset), so an
 * export of any size holds one page in memory. The permission is checked and the first page read before the
 * stream is returned: a transport commits to success once it starts sending, so a failure that comes this early
 * must still be able to answer as an error. A later page that fails ends the stream with `Unavailable` (logged
 * with its cause, as every store failure is).
 */
export const exportFindings = Effect.fn("Findings.export")(function* (
  principal: Principal,
  filter: FindingSearchFilter
) {
  yield* requirePermission(principal, "findings:export")
  yield* checkFindingFilter(filter)
  const store = yield* FindingStore
  const scoped = scopedFilter(principal, filter)
  const pageAfter = (afterKey: string | undefined) => store.query({ ...scoped, afterKey, limit: EXPORT_PAGE })
  const first = yield* pageAfter(undefined)
  const rest = Option.match(Option.fromNullishOr(first.nextKey), {
    onNone: () => Stream.empty,
    onSome: (nextKey) =>
      Stream.paginate<string, Finding, Unavailable>(nextKey, (afterKey) =>
        storeUnavailable(pageAfter(afterKey)).pipe(
          Effect.map((page) => [page.findings, Option.fromNullishOr(page.nextKey)] as const)
        )
      )
  })
  return Stream.concat(Stream.fromArray(first.findings), rest)
}, storeUnavailable)
