import { ContractStore, FindingStore, RunStore, SessionStore, UserStore } from "@adalqarau/core"
import { Duration, Effect, type Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

const CHECK_TIMEOUT = Duration.seconds(3)

/**
 * `/health/live`: the process answers. `/health/ready`: every store answers a minimal keyset query (one row, by
 * index) within 3 s — the database and, later, object storage. 503 with the failing checks otherwise.
 */
export const layerHealthRoutes: Layer.Layer<
  never,
  never,
  HttpRouter.HttpRouter | ContractStore | FindingStore | UserStore | SessionStore | RunStore
> = HttpRouter.use(
  Effect.fnUntraced(function* (router) {
    const contracts = yield* ContractStore
    const findings = yield* FindingStore
    const users = yield* UserStore
    const sessions = yield* SessionStore
    const runs = yield* RunStore
    const checks: ReadonlyArray<readonly [string, Effect.Effect<unknown, { readonly message: string }>]> = [
      ["contracts", contracts.search({ limit: 1 })],
      ["findings", findings.query({ limit: 1 })],
      ["users", users.list({ limit: 1 })],
      ["sessions", sessions.find("readiness-probe")],
      ["runs", runs.list({ limit: 1 })]
    ]
    const check = ([name, probe]: (typeof checks)[number]) =>
      probe.pipe(
        Effect.timeoutOrElse({
          duration: CHECK_TIMEOUT,
          orElse: () => Effect.fail({ message: `no answer within ${Duration.format(CHECK_TIMEOUT)}` })
        }),
        Effect.match({
          onSuccess: () => [name, "ok"] as const,
          onFailure: (error) => [name, error.message] as const
        })
      )

    yield* router.add("GET", "/health/live", HttpServerResponse.jsonUnsafe({ status: "live" }))
    yield* router.add(
      "GET",
      "/health/ready",
      Effect.gen(function* () {
        const results = yield* Effect.all(checks.map(check), { concurrency: "unbounded" })
        const ready = results.every(([, result]) => result === "ok")
        if (!ready) yield* Effect.logWarning("not ready").pipe(Effect.annotateLogs(Object.fromEntries(results)))
        return HttpServerResponse.jsonUnsafe(
          { status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) },
          { status: ready ? 200 : 503 }
        )
      })
    )
  })
)
