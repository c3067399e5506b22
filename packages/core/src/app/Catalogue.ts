import { Context, Effect, Option, Schema } from "effect"
import { DEFAULT_FILTERS } from "../indicators/Filters.ts"
import { IndicatorRegistry } from "../indicators/Registry.ts"
import { type Principal, requirePermission } from "./Policy.ts"

/** The indicators the server offers (its catalogue and the parameters runs are checked against). */
export const IndicatorCatalog = Context.Reference<IndicatorRegistry>("@adalqarau/core/app/IndicatorCatalog", {
  defaultValue: () => IndicatorRegistry.standard
})

export const ParameterEntry = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  default: Schema.Json
})
export type ParameterEntry = typeof ParameterEntry.Type

export const MeasureEntry = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  /** `decimal`: exact decimal text, which finding filters range over; `date`: an Almaty date (YYYY-MM-DD). */
  kind: Schema.Literals(["decimal", "date"])
})
export type MeasureEntry = typeof MeasureEntry.Type

export const IndicatorEntry = Schema.Struct({
  code: Schema.String,
  titles: Schema.Struct({ ru: Schema.String, kk: Schema.String, en: Schema.String }),
  formula: Schema.String,
  description: Schema.String,
  scope: Schema.Literals(["contract", "chain", "pair"]),
  parameters: Schema.Array(ParameterEntry),
  /** The measures its findings carry; empty for an indicator that does not declare them. */
  measures: Schema.Array(MeasureEntry)
})
export type IndicatorEntry = typeof IndicatorEntry.Type

export const Catalogue = Schema.Struct({
  indicators: Schema.Array(IndicatorEntry),
  /** Filters every indicator applies to root contracts (`filters` in run parameters). */
  commonFilters: Schema.Array(ParameterEntry)
})
export type Catalogue = typeof Catalogue.Type

const COMMON_FILTER_DOCS: ReadonlyArray<{ readonly name: keyof typeof DEFAULT_FILTERS; readonly description: string }> =
  [
    { name: "contractTypeIds", description: "ref_contract_type_id values analysed (1: main contract)" },
    { name: "yearTypeIds", description: "ref_contract_year_type_id values analysed (1: one-year contract)" },
    {
      name: "statusIds",
      description:
        "ref_contract_status_id values analysed (190 in force, 340/350 terminated, 375 partly executed, 390 executed, 450 amended)"
    }
  ]

const asJson = (value: unknown): Schema.Json =>
  Option.getOrElse(Schema.decodeUnknownOption(Schema.Json)(value), () => String(value))

/** The catalogue of a registry: codes, titles, formulas, parameters with defaults, and the common filters. */
export const describeRegistry = (registry: IndicatorRegistry): Catalogue => ({
  indicators: registry.indicators.map((indicator) => ({
    code: indicator.code,
    titles: indicator.titles,
    formula: indicator.formula,
    description: indicator.description,
    scope: indicator.scope,
    parameters: indicator.parameterDocs.map((p) => ({
      name: p.name,
      description: p.description,
      default: asJson(p.default)
    })),
    measures: (indicator.measureDocs ?? []).map(({ name, description, kind }) => ({ name, description, kind }))
  })),
  commonFilters: COMMON_FILTER_DOCS.map(({ name, description }) => ({
    name,
    description,
    default: [...DEFAULT_FILTERS[name]]
  }))
})

export const catalogue = Effect.fn("Catalogue.get")(function* (principal: Principal) {
  yield* requirePermission(principal, "catalogue:read")
  return describeRegistry(yield* IndicatorCatalog)
})
