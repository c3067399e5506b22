/**
 * The hourly sweep of expired sessions keeps a revoked login known as revoked for as long as its access tokens can
 * live: a session stays an access token's lifetime (and a minute) past its own expiry.
 */
import { type Instant, SessionStore, type UserId } from "@adalqarau/core"
import { layerMemorySessionStore } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuthConfig } from "../src/auth/AuthConfig.ts"
import { layerExpiredSessionSweep } from "../src/auth/sessionSweep.ts"

const T0 = Date.UTC(2026, 3, 1, 8, 0, 0)
const minutes = (n: number) => (T0 + n * 60_000) as Instant

describe("the expired-session sweep", () => {
  it.effect("deletes a session an access token's lifetime and a minute after it expired, not before", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const sessions = yield* SessionStore
      // Refresh tokens shorter-lived than access tokens (5 minutes against 15): the access token issued with this
      // session, at 50 minutes, lives until 65, and the session is revoked (a logout) at 52.
      yield* sessions.insert({
        tokenHash: "last",
        familyId: "logged-out",
        userId: "u1" as UserId,
        issuedAt: minutes(50),
        expiresAt: minutes(55),
        rotatedAt: null,
        revokedAt: minutes(52)
      })
      const kept = Layer.build(
        layerExpiredSessionSweep("1 hour").pipe(
          Layer.provide(AuthConfig.layer({ accessTokenTtl: Duration.minutes(15) })),
          Layer.provide(Layer.succeed(SessionStore, sessions))
        )
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* kept
          yield* TestClock.adjust("1 hour")
          // At 60 minutes the session has expired, but its access token has 5 minutes left.
          assert.isTrue(yield* sessions.familyRevoked("logged-out"))
          yield* TestClock.adjust("1 hour")
          assert.isFalse(yield* sessions.familyRevoked("logged-out"))
        })
      )
    }).pipe(Effect.provide(layerMemorySessionStore))
  )
})
