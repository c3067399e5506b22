import { Effect, type Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { refreshProcessMetrics } from "./ProcessMetrics.ts"

/** `/metrics` in the Prometheus text format: HTTP and RPC metrics, process metrics, and any other Effect metric. */
export const layerMetricsRoute: Layer.Layer<never, never, HttpRouter.HttpRouter> = HttpRouter.add(
  "GET",
  "/metrics",
  Effect.gen(function* () {
    yield* refreshProcessMetrics
    const text = yield* PrometheusMetrics.format()
    return HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" })
  })
)
