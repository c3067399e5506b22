import { type AccessTokens, Auth, CurrentPrincipal, Unauthenticated, type UserStore } from "@adalqarau/core"
import { Effect, Layer } from "effect"
import { RpcAuthentication } from "../api/security.ts"
import { bearerToken } from "../auth/bearer.ts"

/**
 * Resolves the bearer token of an RPC call (the HTTP request's `Authorization` header reaches the procedure's
 * headers) to the current principal, through the same use case as REST.
 */
export const layerRpcAuthentication: Layer.Layer<RpcAuthentication, never, AccessTokens | UserStore> = Layer.effect(
  RpcAuthentication,
  Effect.gen(function* () {
    const services = yield* Effect.context<AccessTokens | UserStore>()
    return RpcAuthentication.of((effect, { headers }) => {
      const token = bearerToken(headers.authorization)
      if (token === undefined) return Effect.fail(new Unauthenticated({ message: "missing bearer token" }))
      return Auth.authenticate(token).pipe(
        Effect.provideContext(services),
        Effect.flatMap((principal) => Effect.provideService(effect, CurrentPrincipal, principal))
      )
    })
  })
)
