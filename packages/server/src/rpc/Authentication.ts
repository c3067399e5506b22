import {
  type AccessTokens,
  Auth,
  CurrentPrincipal,
  type Principal,
  type SessionStore,
  Unauthenticated,
  type Unavailable,
  type UserStore
} from "@adalqarau/core"
import { Context, Effect, Layer, Option } from "effect"
import type { Headers } from "effect/http"
import { RpcAuthentication } from "../api/security.ts"
import { bearerToken } from "../auth/bearer.ts"

/** What `Auth.authenticate` reads. */
export type AuthenticationServices = AccessTokens | UserStore | SessionStore

/**
 * Resolves the bearer token of an RPC call (the HTTP request's `Authorization` header reaches the procedure's
 * headers) to its principal, through the same use case as REST.
 */
export const authenticateCall = (
  headers: Headers.Headers
): Effect.Effect<Principal, Unauthenticated | Unavailable, AuthenticationServices> => {
  const token = bearerToken(headers.authorization)
  if (token === undefined) return Effect.fail(new Unauthenticated({ message: "missing bearer token" }))
  return Auth.authenticate(token)
}

/**
 * The principal the `/rpc` protocol resolved for a call before decoding its payload (rpc/Protocol.ts). The
 * procedure runs with the context of the protocol's step that passed it on, so the middleware finds it there and
 * the token is checked once per call.
 */
export class AuthenticatedBeforeDecoding extends Context.Service<AuthenticatedBeforeDecoding, Principal>()(
  "@adalqarau/server/rpc/AuthenticatedBeforeDecoding"
) {}

/**
 * Provides the current principal to a protected procedure: the one the protocol already resolved, or, where the
 * procedures are served without that protocol, the call's own token's.
 */
export const layerRpcAuthentication: Layer.Layer<RpcAuthentication, never, AuthenticationServices> = Layer.effect(
  RpcAuthentication,
  Effect.gen(function* () {
    const services = yield* Effect.context<AuthenticationServices>()
    return RpcAuthentication.of((effect, { headers }) =>
      Effect.serviceOption(AuthenticatedBeforeDecoding).pipe(
        Effect.flatMap(
          Option.match({
            onSome: Effect.succeed,
            onNone: () => authenticateCall(headers).pipe(Effect.provideContext(services))
          })
        ),
        Effect.flatMap((principal) => Effect.provideService(effect, CurrentPrincipal, principal))
      )
    )
  })
)
