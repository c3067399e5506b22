import { Context, type Effect, Schema } from "effect"
import type { IndicatorStats, ParamsError } from "../indicators/Registry.ts"

export class IndicatorEngineError extends Schema.TaggedError<IndicatorEngineError>()("IndicatorEngineError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export interface RunReport {
  readonly startedAt: number
  readonly finishedAt: number
  readonly indicators: ReadonlyArray<string>
  readonly findings: number
  readonly stats: Readonly<Record<string, IndicatorStats>>
  /**
   * The registry's indicators no run of the engine has evaluated, this one included (one a later version added, or
   * one every run's `only` left out), in the registry's order. They have no findings, and an import's refresh (the
   * SQL engine's, without parameters) leaves them out, their parameters never chosen, until a run evaluates them.
   */
  readonly neverEvaluated: ReadonlyArray<string>
}

/**
 * Evaluates the indicators over what the ContractStore holds and replaces the FindingStore's findings of the
 * indicators it ran. Implementations (in memory, SQL in the database) must produce identical findings.
 */
export class IndicatorEngine extends Context.Service<
  IndicatorEngine,
  {
    /** `params` is params.json content (see `AnalysisParamsInput`); `{}` means all defaults. */
    readonly run: (params?: unknown) => Effect.Effect<RunReport, IndicatorEngineError | ParamsError>
    /**
     * Whether `run` would take these parameters as things stand (the catalogue's checks, and what the engine's
     * earlier runs put in force, such as the filters a run of some indicators must keep), so that a caller queuing a
     * run learns at once. `run` checks again when it runs. Optional: an engine without it is checked by `run` alone.
     */
    readonly check?: (params: unknown) => Effect.Effect<void, IndicatorEngineError | ParamsError>
  }
>()("@adalqarau/core/IndicatorEngine") {}
