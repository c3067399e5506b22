import { Clock, Context, Effect, Layer, Option, Schema, Semaphore } from "effect"
import type { Instant } from "../domain/Ids.ts"
import { IndicatorEngine } from "../ports/IndicatorEngine.ts"
import { Run, RunId, RunStore, type RunStoreError } from "../ports/RunStore.ts"
import { IndicatorCatalog } from "./Catalogue.ts"
import { Conflict, Forbidden, InvalidInput, NotFound, storeUnavailable } from "./Errors.ts"
import { can, type Principal, requirePermission } from "./Policy.ts"

export const RunPage = Schema.Struct({
  runs: Schema.Array(Run),
  /** Pass as `beforeId` for the next (older) page; null on the last page. */
  nextBeforeId: Schema.NullOr(RunId)
})
export type RunPage = typeof RunPage.Type

const now = Effect.map(Clock.currentTimeMillis, (ms) => ms as Instant)

const INTERRUPTED = "the server stopped before this run finished"

/**
 * Executes indicator runs in the background. Runs go one at a time: each replaces the findings of the indicators
 * it evaluates, so two at once would race over the FindingStore.
 */
export class RunExecutor extends Context.Service<
  RunExecutor,
  {
    /**
     * Takes the queue's one waiting place for a run about to be created, or fails naming the run that holds it. One
     * waiting run is enough: runs go one at a time and each replaces the findings, so a second behind the first
     * only repeats work, and nothing else bounded how many a caller could queue. The check and the taking are one
     * step, so of concurrent starts one gets the place.
     */
    readonly reserve: Effect.Effect<void, Conflict>
    /** Gives back a place `reserve` took when the run was not created after all. */
    readonly unreserve: Effect.Effect<void>
    /** Schedules a queued run (in the place `reserve` took) and returns at once. */
    readonly submit: (run: Run) => Effect.Effect<void>
  }
>()("@adalqarau/core/app/RunExecutor") {
  /**
   * Executes runs in this process, in the layer's scope: closing it (server shutdown) interrupts them and marks
   * them failed. On start, runs a previous process left queued or running are marked failed for the same reason.
   */
  static readonly layerInProcess: Layer.Layer<RunExecutor, RunStoreError, RunStore | IndicatorEngine> = Layer.effect(
    RunExecutor,
    Effect.gen(function* () {
      const runs = yield* RunStore
      const engine = yield* IndicatorEngine
      const scope = yield* Effect.scope
      const oneAtATime = yield* Semaphore.make(1)
      // The queue's waiting place: taken for a run being created, then held by its id until it begins. It lives in
      // the executor, not in the store's statuses, so a run left `queued` by a failed write blocks nothing.
      let waiting: RunId | "reserved" | undefined
      const stale = yield* runs.failUnfinished(yield* now, INTERRUPTED)
      if (stale > 0)
        yield* Effect.logWarning("marked unfinished runs of a previous process failed").pipe(
          Effect.annotateLogs({ runs: stale })
        )

      const execute = Effect.fn("RunExecutor.execute")(function* (run: Run) {
        yield* runs.update(run.id, { status: "running", startedAt: yield* now })
        const outcome = yield* Effect.result(engine.run(run.params))
        if (outcome._tag === "Success") {
          yield* runs.update(run.id, { status: "succeeded", finishedAt: yield* now, report: outcome.success })
          yield* Effect.logInfo("indicator run succeeded").pipe(
            Effect.annotateLogs({ runId: run.id, findings: outcome.success.findings })
          )
        } else {
          const error = outcome.failure
          yield* runs.update(run.id, {
            status: "failed",
            finishedAt: yield* now,
            error:
              error._tag === "ParamsError"
                ? { message: storable(error.reason), path: error.path }
                : { message: storable(error.message), path: null }
          })
          yield* Effect.logError("indicator run failed", error).pipe(Effect.annotateLogs({ runId: run.id }))
        }
      })

      const markInterrupted = (run: Run) =>
        now.pipe(
          Effect.flatMap((at) =>
            runs.update(run.id, { status: "failed", finishedAt: at, error: { message: INTERRUPTED, path: null } })
          ),
          Effect.catch((error) => Effect.logError("could not mark an interrupted run failed", error))
        )

      const markUnrecorded = (run: Run, reason: string) =>
        now.pipe(
          Effect.flatMap((at) =>
            runs.update(run.id, {
              status: "failed",
              finishedAt: at,
              error: { message: storable(`the run's outcome could not be recorded: ${reason}`), path: null }
            })
          ),
          Effect.catch((error) => Effect.logError("could not mark a run failed", error)),
          Effect.asVoid
        )

      const begin = (run: Run) =>
        Effect.sync(() => {
          if (waiting === run.id) waiting = undefined
        })

      return RunExecutor.of({
        reserve: Effect.suspend(() => {
          if (waiting === undefined) {
            waiting = "reserved"
            return Effect.void
          }
          return Effect.fail(
            new Conflict({
              message:
                waiting === "reserved"
                  ? "another run is being queued; start one once it has begun"
                  : `run ${waiting} is queued already; start another once it has begun (GET /api/v1/runs/${waiting})`
            })
          )
        }),
        unreserve: Effect.sync(() => {
          if (waiting === "reserved") waiting = undefined
        }),
        submit: (run) =>
          Effect.sync(() => {
            waiting = run.id
          }).pipe(
            Effect.andThen(
              oneAtATime
                .withPermits(1)(Effect.andThen(begin(run), execute(run)))
                .pipe(
                  Effect.onInterrupt(() => markInterrupted(run)),
                  Effect.catch((error) =>
                    Effect.logError("indicator run bookkeeping failed", error).pipe(
                      Effect.annotateLogs({ runId: run.id }),
                      // A run whose end could not be recorded would show `running` until the next start: mark
                      // it failed with a message the store can hold, if the store answers at all.
                      Effect.andThen(markUnrecorded(run, error.message))
                    )
                  ),
                  Effect.forkIn(scope)
                )
            ),
            Effect.asVoid
          )
      })
    })
  )
}

/**
 * A failure's message as stores can keep it: messages quote data (a file's line, a value), and a NUL or a lone
 * surrogate there failed the SQL store's update, which left the run `running`.
 */
const storable = (message: string): string => message.replaceAll("\u0000", "\\u0000").replace(/\p{Cs}/gu, "\uFFFD")

/**
 * Queues an indicator run with parameters (params.json content) and returns it at once, status `queued`. The
 * parameters are checked against the catalogue first, so a typo answers 400 with its path instead of a failed run.
 */
export const startRun = Effect.fn("Runs.start")(function* (principal: Principal, params: Schema.Json) {
  yield* requirePermission(principal, "runs:start")
  const catalog = yield* IndicatorCatalog
  const resolved = yield* catalog
    .resolve(params)
    .pipe(Effect.mapError((e) => new InvalidInput({ field: `params.${e.path}`, message: e.reason })))
  if (!can(principal, "runs:configure")) {
    // A run's parameters hold for every region's findings until the next run: a regional user must not set them.
    const departures = yield* catalog.departuresFromDefaults(resolved)
    if (departures.length > 0)
      return yield* new Forbidden({
        permission: "runs:configure",
        message: `your roles grant runs with the default parameters only (runs:configure sets others): ${departures.map((p) => `params.${p}`).join(", ")}`
      })
  }
  // What the engine's earlier runs put in force (the filters a run of some indicators must keep) answers now as a
  // 400, rather than as the run failing later. Anything else the check meets is left to the run, which checks again
  // and records it.
  const check = (yield* IndicatorEngine).check
  if (check !== undefined) {
    yield* check(params).pipe(
      Effect.catchTags({
        ParamsError: (e) => Effect.fail(new InvalidInput({ field: `params.${e.path}`, message: e.reason })),
        IndicatorEngineError: (e) => Effect.logWarning("could not check the run's parameters before queuing it", e)
      })
    )
  }
  const executor = yield* RunExecutor
  yield* executor.reserve
  const run = yield* (yield* RunStore)
    .create({ params, requestedBy: principal.userId, at: yield* now })
    .pipe(Effect.onError(() => executor.unreserve))
  yield* executor.submit(run)
  yield* Effect.logInfo("indicator run queued").pipe(Effect.annotateLogs({ runId: run.id, by: principal.userId }))
  return run
}, storeUnavailable)

export const getRun = Effect.fn("Runs.get")(function* (principal: Principal, id: RunId) {
  yield* requirePermission(principal, "runs:read")
  const run = yield* (yield* RunStore).get(id)
  if (Option.isNone(run)) return yield* new NotFound({ resource: "run", id: String(id) })
  return run.value
}, storeUnavailable)

/** Runs newest first, keyset-paged by id. */
export const listRuns = Effect.fn("Runs.list")(function* (
  principal: Principal,
  query: { readonly beforeId?: RunId | undefined; readonly limit: number }
) {
  yield* requirePermission(principal, "runs:read")
  const found = yield* (yield* RunStore).list({
    ...(query.beforeId === undefined ? {} : { beforeId: query.beforeId }),
    limit: query.limit + 1
  })
  const runs = found.slice(0, query.limit)
  const page: RunPage = { runs, nextBeforeId: found.length > query.limit ? (runs[runs.length - 1]?.id ?? null) : null }
  return page
}, storeUnavailable)
