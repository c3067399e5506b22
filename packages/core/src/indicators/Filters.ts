import { Effect, Schema } from "effect"

/**
 * A set of reference-book ids a contract must be in. An empty set passes no contract: a run with one replaced every
 * stored finding by none, which reads as "no risks". Leaving the key out takes the default.
 */
export const IdList = Schema.Array(Schema.Int).check(
  Schema.isMinLength(1, {
    message: "an empty set would leave out every contract: list at least one id, or leave the key out for the default"
  })
)

/** A percentage threshold of a reduction: 0 to 100. */
export const PercentThreshold = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))
/** A growth threshold in percent: any non-negative number (growth can exceed 100 %). */
export const GrowthThreshold = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
/** A share: 0 to 1. */
export const ShareThreshold = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
export const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** A parameter field that may be left out of params.json; the default is documented by the schema. */
export const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefault(Effect.succeed(value)))

/**
 * Filters shared by every indicator. The reference-book ids are data, not facts of the code: goszakup's ids
 * could not be verified, so each set is configurable; the defaults follow what third parties report
 * (status 190 "Действует", 340/350 "Расторгнут", 375 "Частично исполнен", 390 "Исполнен", 450 "Создано доп.
 * соглашение"; 330 "Не заключен" and drafts left out; contract type 1 "основной"; year type 1 one-year).
 */
export const CommonFilters = Schema.Struct({
  contractTypeIds: withDefault(IdList, [1]),
  yearTypeIds: withDefault(IdList, [1]),
  statusIds: withDefault(IdList, [190, 340, 350, 375, 390, 450])
})
export type CommonFilters = typeof CommonFilters.Type

export const DEFAULT_FILTERS: CommonFilters = Schema.decodeUnknownSync(CommonFilters)({})

/** Why a root contract is left out by the common filters, as a short stable reason. */
export type FilterReason =
  | "deleted"
  | "contract type not in filter"
  | "year type not in filter"
  | "status not in filter"
  | "customer BIN missing"
  | "supplier BIN missing"
  | "contract sum not positive"

/** Minimal shape the common filters read. */
export interface FilterableContract {
  readonly deleted: boolean
  readonly typeId: number | null
  readonly yearTypeId: number | null
  readonly statusId: number | null
  readonly customerBin: string | null
  readonly supplierBin: string | null
  readonly sumWnds: number | null
}

/**
 * The first common filter a contract fails, or `undefined` when it passes them all. `statusIds` overrides the
 * filter's status set (indicator 3 has its own). BINs are valid by construction: invalid ones are rejected at input.
 */
export const filterReason = (
  c: FilterableContract,
  filters: CommonFilters,
  statusIds: ReadonlyArray<number> = filters.statusIds
): FilterReason | undefined => {
  if (c.deleted) return "deleted"
  if (c.typeId === null || !filters.contractTypeIds.includes(c.typeId)) return "contract type not in filter"
  if (c.yearTypeId === null || !filters.yearTypeIds.includes(c.yearTypeId)) return "year type not in filter"
  if (c.statusId === null || !statusIds.includes(c.statusId)) return "status not in filter"
  if (c.customerBin === null) return "customer BIN missing"
  if (c.supplierBin === null) return "supplier BIN missing"
  if (c.sumWnds === null || c.sumWnds <= 0) return "contract sum not positive"
  return undefined
}
