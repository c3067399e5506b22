import { Effect, Layer, Option } from "effect"
import { type Run, type RunId, RunStore } from "../ports/RunStore.ts"

/** A RunStore in process memory: ids 1, 2, … in creation order. */
export const makeMemoryRunStore = Effect.sync(() => {
  const byId = new Map<number, Run>()
  let next = 1

  return RunStore.of({
    create: (input) =>
      Effect.sync(() => {
        const run: Run = {
          id: next++ as RunId,
          status: "queued",
          params: input.params,
          requestedBy: input.requestedBy,
          createdAt: input.at,
          startedAt: null,
          finishedAt: null,
          report: null,
          error: null
        }
        byId.set(run.id, run)
        return run
      }),
    get: (id) => Effect.sync(() => Option.fromNullishOr(byId.get(id))),
    update: (id, patch) =>
      Effect.sync(() => {
        const stored = byId.get(id)
        if (stored === undefined) return Option.none()
        const updated: Run = {
          ...stored,
          status: patch.status,
          ...(patch.startedAt === undefined ? {} : { startedAt: patch.startedAt }),
          ...(patch.finishedAt === undefined ? {} : { finishedAt: patch.finishedAt }),
          ...(patch.report === undefined ? {} : { report: patch.report }),
          ...(patch.error === undefined ? {} : { error: patch.error })
        }
        byId.set(id, updated)
        return Option.some(updated)
      }),
    list: (query) =>
      Effect.sync(() =>
        [...byId.values()]
          .filter((r) => query.beforeId === undefined || r.id < query.beforeId)
          .sort((a, b) => b.id - a.id)
          // A negative limit lists nothing, as the SQL store's does (slice would drop from the end).
          .slice(0, Math.max(0, query.limit))
      ),
    failUnfinished: (at, message) =>
      Effect.sync(() => {
        let failed = 0
        for (const run of byId.values()) {
          if (run.status !== "queued" && run.status !== "running") continue
          byId.set(run.id, { ...run, status: "failed", finishedAt: at, error: { message, path: null } })
          failed++
        }
        return failed
      })
  })
})

export const layerMemoryRunStore: Layer.Layer<RunStore> = Layer.effect(RunStore, makeMemoryRunStore)
