import {
  type AccessTokens,
  Auth,
  CurrentPrincipal,
  requirePermission,
  type SessionStore,
  Unauthenticated,
  type UserStore
} from "@adalqarau/core"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { HttpAuthentication, RequiredPermission } from "../api/security.ts"

const REALM = `Bearer realm="adalqarau"`

/**
 * RFC 6750 §3: a 401 for a bearer-protected resource names the scheme. A request that sent no token gets the bare
 * challenge (§3.1: no error code when there was no authentication information); a token that does not check out
 * gets `invalid_token` and why.
 */
const challenge = (value: string) =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "www-authenticate", value))
  )

const invalidTokenChallenge = (error: Unauthenticated) =>
  challenge(`${REALM}, error="invalid_token", error_description="${error.message.replace(/"/gu, "'")}"`)

/** What `Auth.authenticate` reads. */
type AuthenticationServices = AccessTokens | UserStore | SessionStore

/** Resolves the REST bearer token to the current principal, through the same use case as RPC. */
export const layerHttpAuthentication: Layer.Layer<HttpAuthentication, never, AuthenticationServices> = Layer.effect(
  HttpAuthentication,
  Effect.gen(function* () {
    const services = yield* Effect.context<AuthenticationServices>()
    return HttpAuthentication.of({
      bearer: (httpEffect, { credential, endpoint, group }) => {
        const permission = Option.orElse(Context.getOption(endpoint.annotations, RequiredPermission), () =>
          Context.getOption(group.annotations, RequiredPermission)
        )
        const token = Redacted.value(credential)
        const principal =
          token === ""
            ? challenge(REALM).pipe(
                Effect.andThen(Effect.fail(new Unauthenticated({ message: "missing bearer token" })))
              )
            : Auth.authenticate(token).pipe(
                Effect.provideContext(services),
                Effect.tapError((error) =>
                  error._tag === "Unauthenticated" ? invalidTokenChallenge(error) : Effect.void
                )
              )
        return Effect.flatMap(principal, (p) =>
          Effect.andThen(
            Option.match(permission, { onNone: () => Effect.void, onSome: (needed) => requirePermission(p, needed) }),
            Effect.provideService(httpEffect, CurrentPrincipal, p)
          )
        )
      }
    })
  })
)
