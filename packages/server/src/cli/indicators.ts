import { DEFAULT_FILTERS, type Indicator, IndicatorRegistry, type MeasureDoc } from "@adalqarau/core"
import { Console, Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { formatValue, renderTable, wrap } from "./output.ts"

/** What `adalqarau indicators --json` prints. */
export interface IndicatorCatalogue {
  readonly indicators: ReadonlyArray<{
    readonly code: string
    readonly titles: Indicator["titles"]
    readonly scope: Indicator["scope"]
    readonly formula: string
    readonly description: string
    readonly parameters: Indicator["parameterDocs"]
    readonly measures: ReadonlyArray<MeasureDoc>
  }>
  /** The common filters (params.json `filters`) and their defaults. */
  readonly filters: typeof DEFAULT_FILTERS
}

export const indicatorCatalogue = (registry: IndicatorRegistry = IndicatorRegistry.standard): IndicatorCatalogue => ({
  indicators: registry.indicators.map((i) => ({
    code: i.code,
    titles: i.titles,
    scope: i.scope,
    formula: i.formula,
    description: i.description,
    parameters: i.parameterDocs,
    measures: i.measureDocs ?? []
  })),
  filters: DEFAULT_FILTERS
})

const WIDTH = 100

export const renderCatalogue = (catalogue: IndicatorCatalogue): string => {
  const blocks = catalogue.indicators.map((i) =>
    [
      `${i.code} — ${i.titles.ru} / ${i.titles.en} (scope: ${i.scope})`,
      wrap(`formula: ${i.formula}`, WIDTH, "  "),
      wrap(i.description, WIDTH, "  "),
      i.parameters.length === 0
        ? `  parameters: none`
        : [
            `  parameters (params.json "indicators": { "${i.code}": { … } }):`,
            renderTable({
              columns: [{ header: "name" }, { header: "default", align: "right" }, { header: "meaning" }],
              rows: i.parameters.map((p) => [p.name, formatValue(p.default), p.description])
            })
              .split("\n")
              .map((line) => `    ${line}`)
              .join("\n")
          ].join("\n"),
      ...(i.measures.length === 0
        ? []
        : [
            "  measures (in each finding):",
            renderTable({
              columns: [{ header: "name" }, { header: "kind" }, { header: "meaning" }],
              rows: i.measures.map((m) => [m.name, m.kind, m.description])
            })
              .split("\n")
              .map((line) => `    ${line}`)
              .join("\n")
          ])
    ].join("\n")
  )
  const filters = [
    `Common filters (params.json "filters": { … }), applied by every indicator:`,
    renderTable({
      columns: [{ header: "name" }, { header: "default" }],
      rows: Object.entries(catalogue.filters).map(([name, value]) => [name, formatValue(value)])
    })
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n")
  ].join("\n")
  return [...blocks, filters].join("\n\n")
}

export const indicatorsCommand = Command.make(
  "indicators",
  {
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the catalogue as JSON"), Flag.withDefault(false))
  },
  ({ json }) =>
    Effect.suspend(() => {
      const catalogue = indicatorCatalogue()
      return Console.log(json ? JSON.stringify(catalogue, null, 2) : renderCatalogue(catalogue))
    })
).pipe(
  Command.withDescription(
    "List the registered indicators: code, titles, scope, formula, description, parameters with defaults, the measures findings carry, and the common filters"
  )
)
