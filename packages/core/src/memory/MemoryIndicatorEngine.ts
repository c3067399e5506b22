import { Clock, Effect, Layer, Stream } from "effect"
import { analyzeStream } from "../engine/analyze.ts"
import type { CommonFilters } from "../indicators/Filters.ts"
import { keepsFiltersInForce } from "../indicators/filtersInForce.ts"
import { IndicatorRegistry } from "../indicators/Registry.ts"
import { ContractStore } from "../ports/ContractStore.ts"
import { FindingStore } from "../ports/FindingStore.ts"
import { IndicatorEngine, IndicatorEngineError } from "../ports/IndicatorEngine.ts"
import { accepted } from "../sources/SourceItem.ts"

/**
 * The in-memory engine behind the IndicatorEngine port: streams the store's records into the compact dataset,
 * evaluates in process, and replaces the findings of the indicators it ran.
 */
export const makeMemoryIndicatorEngine = (registry: IndicatorRegistry = IndicatorRegistry.standard) =>
  Effect.gen(function* () {
    const contracts = yield* ContractStore
    const findings = yield* FindingStore
    // What the runs so far have put in force, as the SQL engine reads it from its runs: the newest run's filters
    // and every indicator some run evaluated.
    let inForce: { readonly filters: CommonFilters; readonly evaluated: ReadonlySet<string> } | undefined
    const resolveInForce = Effect.fn("MemoryIndicatorEngine.check")(function* (params: unknown) {
      const resolved = yield* registry.resolve(params)
      if (inForce !== undefined) {
        const codes = resolved.indicators.map((i) => i.indicator.code)
        yield* keepsFiltersInForce(
          inForce.evaluated,
          { codes, filters: resolved.filters },
          Effect.succeed(inForce.filters)
        )
      }
      return resolved
    })
    return IndicatorEngine.of({
      check: (params) => Effect.asVoid(resolveInForce(params)),
      run: Effect.fn("MemoryIndicatorEngine.run")(function* (params?: unknown) {
        const resolved = yield* resolveInForce(params ?? {})
        const startedAt = yield* Clock.currentTimeMillis
        const report = yield* analyzeStream(Stream.map(contracts.records, accepted), {
          registry,
          params: params ?? {}
        }).pipe(
          Effect.mapError((e) =>
            e._tag === "ParamsError"
              ? e
              : new IndicatorEngineError({ message: `reading the contract store failed: ${e.message}`, cause: e })
          )
        )
        const indicators = Object.keys(report.stats)
        yield* findings
          .replace(indicators, report.findings)
          .pipe(
            Effect.mapError(
              (e) => new IndicatorEngineError({ message: `storing findings failed: ${e.message}`, cause: e })
            )
          )
        const evaluated = new Set([...(inForce?.evaluated ?? []), ...indicators])
        inForce = { filters: resolved.filters, evaluated }
        const finishedAt = yield* Clock.currentTimeMillis
        return {
          startedAt,
          finishedAt,
          indicators,
          findings: report.findings.length,
          stats: report.stats,
          neverEvaluated: registry.indicators.map((i) => i.code).filter((code) => !evaluated.has(code))
        }
      })
    })
  })

export const layerMemoryIndicatorEngine = (
  registry: IndicatorRegistry = IndicatorRegistry.standard
): Layer.Layer<IndicatorEngine, never, ContractStore | FindingStore> =>
  Layer.effect(IndicatorEngine, makeMemoryIndicatorEngine(registry))
