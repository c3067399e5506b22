import { type CurrentPrincipal, type Permission, Unauthenticated, Unavailable } from "@adalqarau/core"
import { Context, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { RpcMiddleware } from "effect/rpc"
import { ForbiddenProblem, UnauthenticatedProblem, UnavailableProblem } from "./problems.ts"

/**
 * Bearer-token authentication for protected operations, one declaration per transport. Each resolves the access
 * token to the current `Principal` (read from the UserStore) and provides it as `CurrentPrincipal`; missing or bad
 * tokens fail with `Unauthenticated`. Implementations live in `http/` and `rpc/` (servers only).
 */

export class HttpAuthentication extends HttpApiMiddleware.Service<HttpAuthentication, { provides: CurrentPrincipal }>()(
  "@adalqarau/server/HttpAuthentication",
  {
    security: { bearer: HttpApiSecurity.bearer },
    error: [UnauthenticatedProblem, ForbiddenProblem, UnavailableProblem]
  }
) {}

/**
 * The permission a REST endpoint (or every endpoint of a group) or an RPC procedure needs, checked with the token
 * and before the request is decoded: by `HttpAuthentication` over REST, by the `/rpc` protocol over RPC
 * (rpc/Protocol.ts). A caller without it gets 403 or `Forbidden`, not a refusal that would describe the rules of an
 * operation it may not use (an analyst creating a user learnt the password policy). The use cases check it again,
 * for callers of core.
 */
export class RequiredPermission extends Context.Service<RequiredPermission, Permission>()(
  "@adalqarau/server/RequiredPermission"
) {}

export class RpcAuthentication extends RpcMiddleware.Service<RpcAuthentication, { provides: CurrentPrincipal }>()(
  "@adalqarau/server/RpcAuthentication",
  { error: Schema.Union([Unauthenticated, Unavailable]) }
) {}
