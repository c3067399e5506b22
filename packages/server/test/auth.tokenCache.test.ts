import { assert, describe, it } from "@effect/vitest"
import { type Instant, UserId } from "@adalqarau/core"
import { Duration, Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { SignJWT } from "jose"
import { makeJwtAccessTokens } from "../src/auth/JwtAccessTokens.ts"

const secret = new TextEncoder().encode("a-test-secret-of-at-least-thirty-two-bytes")
const alice = Schema.decodeUnknownSync(UserId)("alice")
const subject = { userId: alice, tokensRevokedAt: null, sessionId: null }
const outcome = <A, E extends { readonly message: string }>(effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.map((value) => ({ ok: true as const, value })),
    Effect.catch((error) => Effect.succeed({ ok: false as const, message: error.message }))
  )

describe("verified access tokens are remembered", () => {
  it.effect("still expire on time once remembered (jose's rule: refused from the second of `exp`)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      const tokens = makeJwtAccessTokens(secret, Duration.seconds(60))
      const { token } = yield* tokens.issue(subject)
      assert.deepStrictEqual(yield* tokens.verify(token), subject)
      yield* TestClock.adjust(Duration.seconds(59))
      assert.deepStrictEqual(yield* tokens.verify(token), subject)
      yield* TestClock.adjust(Duration.seconds(1))
      assert.deepStrictEqual(yield* outcome(tokens.verify(token)), { ok: false, message: "access token expired" })
      // Forgotten on expiry, and refused again by the full check.
      assert.deepStrictEqual(yield* outcome(tokens.verify(token)), { ok: false, message: "access token expired" })
    })
  )

  it.effect("remember the exact token only: the same signature over another payload is refused", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      const tokens = makeJwtAccessTokens(secret, Duration.minutes(15))
      const { token } = yield* tokens.issue(subject)
      assert.deepStrictEqual(yield* tokens.verify(token), subject)
      const [header, payload, signature] = token.split(".")
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString("base64url")}.${signature}`
      assert.deepStrictEqual(yield* outcome(tokens.verify(forged)), { ok: false, message: "invalid access token" })
      assert.deepStrictEqual(yield* tokens.verify(token), subject)
    })
  )

  it.effect("are not shared between keys: another server's key refuses a token this one remembers", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      const ours = makeJwtAccessTokens(secret, Duration.minutes(15))
      const theirs = makeJwtAccessTokens(
        new TextEncoder().encode("another-secret-another-secret-another-1"),
        Duration.minutes(15)
      )
      const { token } = yield* ours.issue(subject)
      assert.deepStrictEqual(yield* ours.verify(token), subject)
      assert.deepStrictEqual(yield* outcome(theirs.verify(token)), { ok: false, message: "invalid access token" })
    })
  )

  it.effect("carry the user's tokensRevokedAt, remembered or not; a malformed value is refused", () =>
    Effect.gen(function* () {
      const now = Date.UTC(2026, 0, 1)
      yield* TestClock.setTime(now)
      const tokens = makeJwtAccessTokens(secret, Duration.minutes(15))
      const revoked = { userId: alice, tokensRevokedAt: (now - 1) as Instant, sessionId: null }
      const { token } = yield* tokens.issue(revoked)
      assert.deepStrictEqual(yield* tokens.verify(token), revoked)
      assert.deepStrictEqual(yield* tokens.verify(token), revoked)
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<
        string,
        unknown
      >
      assert.strictEqual(claims.rvk, now - 1)

      for (const rvk of ["yesterday", 1.5, null]) {
        const odd = yield* Effect.promise(() =>
          new SignJWT({ rvk })
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .setSubject(alice)
            .setIssuer("adalqarau")
            .setAudience("adalqarau-api")
            .setIssuedAt(now / 1000)
            .setExpirationTime(now / 1000 + 60)
            .sign(secret)
        )
        assert.deepStrictEqual(yield* outcome(tokens.verify(odd)), { ok: false, message: "invalid access token" })
      }
    })
  )

  it.effect("carry the login's session family as `sid`, remembered or not; a malformed value is refused", () =>
    Effect.gen(function* () {
      const now = Date.UTC(2026, 0, 1)
      yield* TestClock.setTime(now)
      const tokens = makeJwtAccessTokens(secret, Duration.minutes(15))
      const ofLogin = { userId: alice, tokensRevokedAt: null, sessionId: "3f6c2a9e-family" }
      const { token } = yield* tokens.issue(ofLogin)
      assert.deepStrictEqual(yield* tokens.verify(token), ofLogin)
      assert.deepStrictEqual(yield* tokens.verify(token), ofLogin)
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<
        string,
        unknown
      >
      assert.strictEqual(claims.sid, "3f6c2a9e-family")
      const without = JSON.parse(
        Buffer.from((yield* tokens.issue(subject)).token.split(".")[1] ?? "", "base64url").toString()
      ) as Record<string, unknown>
      assert.notProperty(without, "sid")

      for (const sid of ["", 42, null, ["a"]]) {
        const odd = yield* Effect.promise(() =>
          new SignJWT({ sid })
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .setSubject(alice)
            .setIssuer("adalqarau")
            .setAudience("adalqarau-api")
            .setIssuedAt(now / 1000)
            .setExpirationTime(now / 1000 + 60)
            .sign(secret)
        )
        assert.deepStrictEqual(yield* outcome(tokens.verify(odd)), { ok: false, message: "invalid access token" })
      }
    })
  )
})
