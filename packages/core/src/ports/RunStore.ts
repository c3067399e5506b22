import { Context, type Effect, type Option, Schema } from "effect"
import { Instant } from "../domain/Ids.ts"
import { UserId } from "./UserStore.ts"

export class RunStoreError extends Schema.TaggedError<RunStoreError>()("RunStoreError", {
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export const RunId = Schema.Int.check(Schema.isGreaterThan(0)).pipe(Schema.brand("RunId"))
export type RunId = typeof RunId.Type

export const RunStatus = Schema.Literals(["queued", "running", "succeeded", "failed"])
export type RunStatus = typeof RunStatus.Type

const IndicatorRunStats = Schema.Struct({
  evaluated: Schema.Int,
  flagged: Schema.Int,
  skipped: Schema.Record(Schema.String, Schema.Int)
})

/** The `RunReport` of `IndicatorEngine.run` as data: nationwide counts, never rows. */
export const IndicatorRunReport = Schema.Struct({
  startedAt: Schema.Number,
  finishedAt: Schema.Number,
  indicators: Schema.Array(Schema.String),
  findings: Schema.Int,
  stats: Schema.Record(Schema.String, IndicatorRunStats),
  /** See `RunReport.neverEvaluated`; absent from reports recorded before it was kept. */
  neverEvaluated: Schema.optional(Schema.Array(Schema.String))
})
export type IndicatorRunReport = typeof IndicatorRunReport.Type

export const RunFailure = Schema.Struct({
  message: Schema.String,
  /** Where in the parameters the problem is, when the parameters were at fault. */
  path: Schema.NullOr(Schema.String)
})
export type RunFailure = typeof RunFailure.Type

/** One indicator run requested through the server: its parameters, state, and outcome. */
export const Run = Schema.Struct({
  id: RunId,
  status: RunStatus,
  /** params.json content as requested. */
  params: Schema.Json,
  requestedBy: UserId,
  createdAt: Instant,
  startedAt: Schema.NullOr(Instant),
  finishedAt: Schema.NullOr(Instant),
  report: Schema.NullOr(IndicatorRunReport),
  error: Schema.NullOr(RunFailure)
})
export type Run = typeof Run.Type

export interface NewRun {
  readonly params: Schema.Json
  readonly requestedBy: UserId
  readonly at: Instant
}

export interface RunPatch {
  readonly status: RunStatus
  readonly startedAt?: Instant
  readonly finishedAt?: Instant
  readonly report?: IndicatorRunReport
  readonly error?: RunFailure
}

export interface RunListQuery {
  /** Keyset paging, newest first: runs with an id below this one. */
  readonly beforeId?: RunId
  readonly limit: number
}

/** Indicator runs and their status. The store assigns increasing ids. */
export class RunStore extends Context.Service<
  RunStore,
  {
    readonly create: (run: NewRun) => Effect.Effect<Run, RunStoreError>
    readonly get: (id: RunId) => Effect.Effect<Option.Option<Run>, RunStoreError>
    readonly update: (id: RunId, patch: RunPatch) => Effect.Effect<Option.Option<Run>, RunStoreError>
    /** Runs newest first. */
    readonly list: (query: RunListQuery) => Effect.Effect<ReadonlyArray<Run>, RunStoreError>
    /**
     * Marks every queued or running run failed with this message; returns how many. Called when an executor starts,
     * for runs a previous process left unfinished.
     */
    readonly failUnfinished: (at: Instant, message: string) => Effect.Effect<number, RunStoreError>
  }
>()("@adalqarau/core/RunStore") {}
