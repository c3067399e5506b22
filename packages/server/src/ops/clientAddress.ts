import { Effect, Option } from "effect"
import { HttpServerRequest } from "effect/http"

/**
 * The client's address for the request being served, as the edge determined it (`X-Forwarded-For` only from
 * trusted proxies). RPC handlers run with the HTTP request's context, so REST and RPC read it the same way — and
 * not from a header, which an RPC client could also set inside its message.
 */
export const currentClientAddress: Effect.Effect<string> = Effect.map(
  Effect.serviceOption(HttpServerRequest.HttpServerRequest),
  (request) =>
    Option.getOrElse(
      Option.flatMap(request, (r) => r.remoteAddress),
      () => "unknown"
    )
)
