import {
  type ContractSearch,
  type FindingSearch,
  type FindingSearchFilter,
  InvalidInput,
  type MeasureRange,
  type RegionCode
} from "@adalqarau/core"
import { Effect } from "effect"
import {
  type ContractSearchRequest,
  DEFAULT_PAGE,
  type FindingFilterRequest,
  type FindingRegion,
  type FindingQueryRequest
} from "./inputs.ts"

/** Pure field mapping from request shapes to use-case inputs; no decisions are taken here. */

const regionOf = (region: FindingRegion): RegionCode | null => (region === "unknown" ? null : region)

export const contractSearchOf = (request: ContractSearchRequest): ContractSearch => ({
  ...request,
  limit: request.limit ?? DEFAULT_PAGE
})

export const findingFilterOf = (request: FindingFilterRequest): FindingSearchFilter => ({
  ...request,
  regions: request.regions?.map(regionOf)
})

export const findingSearchOf = (request: FindingQueryRequest): FindingSearch => ({
  ...findingFilterOf(request),
  afterKey: request.afterKey,
  limit: request.limit ?? DEFAULT_PAGE
})

interface FlatMeasure {
  readonly measure?: string | undefined
  readonly measureMin?: string | undefined
  readonly measureMax?: string | undefined
}

/** REST spells the measure range as three query parameters; bounds without a measure name make no sense. */
export const measureOfQuery = (query: FlatMeasure): Effect.Effect<MeasureRange | undefined, InvalidInput> => {
  if (query.measure === undefined) {
    return query.measureMin === undefined && query.measureMax === undefined
      ? Effect.succeed(undefined)
      : Effect.fail(
          new InvalidInput({ field: "query.measure", message: "measureMin and measureMax need measure (its name)" })
        )
  }
  return Effect.succeed({
    name: query.measure,
    ...(query.measureMin === undefined ? {} : { min: query.measureMin }),
    ...(query.measureMax === undefined ? {} : { max: query.measureMax })
  })
}

export const findingFilterOfQuery = (
  query: Omit<FindingFilterRequest, "measure"> & FlatMeasure
): Effect.Effect<FindingSearchFilter, InvalidInput> =>
  Effect.map(measureOfQuery(query), (measure) => {
    const { measure: _name, measureMin: _min, measureMax: _max, ...rest } = query
    return findingFilterOf({ ...rest, measure })
  })
