import { Clock, Effect, Layer, Stream } from "effect"
import { analyzeStream } from "../engine/analyze.ts"
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
    return IndicatorEngine.of({
      run: Effect.fn("MemoryIndicatorEngine.run")(function* (params?: unknown) {
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
        const finishedAt = yield* Clock.currentTimeMillis
        return { startedAt, finishedAt, indicators, findings: report.findings.length, stats: report.stats }
      })
    })
  })

export const layerMemoryIndicatorEngine = (
  registry: IndicatorRegistry = IndicatorRegistry.standard
): Layer.Layer<IndicatorEngine, never, ContractStore | FindingStore> =>
  Layer.effect(IndicatorEngine, makeMemoryIndicatorEngine(registry))
