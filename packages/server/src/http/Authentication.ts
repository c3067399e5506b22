import { type AccessTokens, Auth, CurrentPrincipal, Unauthenticated, type UserStore } from "@adalqarau/core"
import { Effect, Layer, Redacted } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { HttpAuthentication } from "../api/security.ts"

/** RFC 6750: a 401 for a bearer-protected resource names the scheme. */
const challenge = (error: Unauthenticated) =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.succeed(
      HttpServerResponse.setHeader(
        response,
        "www-authenticate",
        `Bearer realm="adalqarau", error="invalid_token", error_description="${error.message.replace(/"/gu, "'")}"`
      )
    )
  )

/** Resolves the REST bearer token to the current principal, through the same use case as RPC. */
export const layerHttpAuthentication: Layer.Layer<HttpAuthentication, never, AccessTokens | UserStore> = Layer.effect(
  HttpAuthentication,
  Effect.gen(function* () {
    const services = yield* Effect.context<AccessTokens | UserStore>()
    return HttpAuthentication.of({
      bearer: (httpEffect, { credential }) => {
        const token = Redacted.value(credential)
        const principal =
          token === ""
            ? Effect.fail(new Unauthenticated({ message: "missing bearer token" }))
            : Auth.authenticate(token).pipe(Effect.provideContext(services))
        return principal.pipe(
          Effect.tapError((error) => (error._tag === "Unauthenticated" ? challenge(error) : Effect.void)),
          Effect.flatMap((p) => Effect.provideService(httpEffect, CurrentPrincipal, p))
        )
      }
    })
  })
)
