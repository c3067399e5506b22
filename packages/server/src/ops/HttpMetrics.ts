import { Effect, Metric } from "effect"

/** Request counts and latency by route, method and status (Prometheus: `http_requests_total`, …). */
const requests = Metric.counter("http_requests_total", {
  description: "HTTP requests answered, by route template, method and status"
})

const duration = Metric.histogram("http_request_duration_seconds", {
  description: "Time until the response headers, by route template, method and status",
  boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
})

const rpcCalls = Metric.counter("rpc_calls_total", { description: "RPC procedure calls, by procedure and outcome" })

export const recordHttpRequest = (labels: {
  readonly route: string
  readonly method: string
  readonly status: number
  readonly seconds: number
}): Effect.Effect<void> => {
  const attributes = { route: labels.route, method: labels.method, status: String(labels.status) }
  return Effect.andThen(
    Metric.update(Metric.withAttributes(requests, attributes), 1),
    Metric.update(Metric.withAttributes(duration, attributes), labels.seconds)
  )
}

export const recordRpcCall = (rpc: string, outcome: "success" | "failure"): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(rpcCalls, { rpc, outcome }), 1)
