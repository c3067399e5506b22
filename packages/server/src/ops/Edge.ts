import { ByteSize, Clock, Effect, Exit, Option } from "effect"
import {
  Headers,
  HttpEffect,
  HttpIncomingMessage,
  HttpMiddleware,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { IpNetwork } from "effect/net"
import { randomUUID } from "node:crypto"
import { recordHttpRequest } from "./HttpMetrics.ts"
import { problemResponse } from "./routeProblems.ts"
import { pathOf } from "./routes.ts"
import type { ServerSettings } from "./ServerConfig.ts"

/** Echoed on every response; accepted from the client when it looks like an id, generated otherwise. */
export const REQUEST_ID_HEADER = "x-request-id"

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/u

const payloadTooLarge = (limit: number) =>
  problemResponse(413, "Payload Too Large", `request bodies are limited to ${limit} bytes`)

/**
 * Headers for every response. `nosniff`: a browser must never guess a JSON or NDJSON body into HTML or script.
 * `no-store` unless the path is cacheable: tokens and region-scoped data must not stay in a browser or proxy cache,
 * and health and metrics must be live. A response that set its own `Cache-Control` keeps it.
 */
const withEdgeHeaders = (
  response: HttpServerResponse.HttpServerResponse,
  requestId: string,
  cacheable: boolean
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.setHeaders(response, {
    [REQUEST_ID_HEADER]: requestId,
    "x-content-type-options": "nosniff",
    ...(cacheable || response.headers["cache-control"] !== undefined ? {} : { "cache-control": "no-store" })
  })

/**
 * What every request goes through before routing and after the response: trusted-proxy handling, a request id
 * (in the logs of everything the request does, and echoed back), the body size limit (413
 * from `Content-Length` before reading anything; streamed bodies are cut at the same limit), the headers of
 * `withEdgeHeaders`, one access-log line and the HTTP metrics. `cacheablePaths` are exempt from `no-store`.
 */
export const makeEdgeMiddleware = (
  settings: ServerSettings,
  routeOf: (method: string, path: string) => string,
  cacheablePaths: ReadonlyArray<string>
) => {
  const networks = settings.trustedProxies.map((cidr) => IpNetwork.fromStringUnsafe(cidr))
  const fromProxies =
    networks.length === 0 ? <A>(self: A) => self : HttpMiddleware.xForwardedHeaders({ trustedProxies: networks })
  const limit = ByteSize.bytes(settings.bodyLimitBytes)

  return <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    fromProxies(
      Effect.gen(function* () {
        const original = yield* HttpServerRequest.HttpServerRequest
        const startedAt = yield* Clock.currentTimeMillis
        const incoming = original.headers[REQUEST_ID_HEADER]
        const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID()
        const clientAddress = Option.getOrElse(original.remoteAddress, () => "unknown")
        const request = original.modify({ headers: Headers.set(original.headers, REQUEST_ID_HEADER, requestId) })
        const path = pathOf(original.url)
        const cacheable = cacheablePaths.includes(path)
        let status = 0
        yield* HttpEffect.appendPreResponseHandler((_request, response) => {
          status = response.status
          return Effect.succeed(withEdgeHeaders(response, requestId, cacheable))
        })
        const declared = Number(original.headers["content-length"] ?? "0")
        const exit = yield* (
          declared > settings.bodyLimitBytes
            ? Effect.sync(() => {
                status = 413
                // Answered here, before the app: the pre-response handler above never sees it.
                return withEdgeHeaders(payloadTooLarge(settings.bodyLimitBytes), requestId, cacheable)
              })
            : app.pipe(
                Effect.provideService(HttpServerRequest.HttpServerRequest, request),
                Effect.provideService(HttpIncomingMessage.MaxBodySize, limit)
              )
        ).pipe(Effect.annotateLogs({ requestId }), Effect.exit)
        const seconds = ((yield* Clock.currentTimeMillis) - startedAt) / 1000
        const route = routeOf(original.method, path)
        // A client that hung up before any response was written shows as 499, as nginx logs it.
        const answered = status === 0 ? (Exit.isFailure(exit) ? 499 : 200) : status
        yield* recordHttpRequest({ route, method: original.method, status: answered, seconds })
        yield* (answered >= 500 ? Effect.logWarning("http request") : Effect.logInfo("http request")).pipe(
          Effect.annotateLogs({
            requestId,
            method: original.method,
            path,
            route,
            status: answered,
            durationMs: Math.round(seconds * 1000),
            clientAddress
          })
        )
        return yield* exit
      })
    )
}
