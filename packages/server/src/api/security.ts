import { type CurrentPrincipal, Unauthenticated, Unavailable } from "@adalqarau/core"
import { Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { RpcMiddleware } from "effect/rpc"
import { UnauthenticatedProblem, UnavailableProblem } from "./problems.ts"

/**
 * Bearer-token authentication for protected operations, one declaration per transport. Each resolves the access
 * token to the current `Principal` (read from the UserStore) and provides it as `CurrentPrincipal`; missing or bad
 * tokens fail with `Unauthenticated`. Implementations live in `http/` and `rpc/` (servers only).
 */

export class HttpAuthentication extends HttpApiMiddleware.Service<HttpAuthentication, { provides: CurrentPrincipal }>()(
  "@adalqarau/server/HttpAuthentication",
  {
    security: { bearer: HttpApiSecurity.bearer },
    error: [UnauthenticatedProblem, UnavailableProblem]
  }
) {}

export class RpcAuthentication extends RpcMiddleware.Service<RpcAuthentication, { provides: CurrentPrincipal }>()(
  "@adalqarau/server/RpcAuthentication",
  { error: Schema.Union([Unauthenticated, Unavailable]) }
) {}
