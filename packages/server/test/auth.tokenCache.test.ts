import { assert, describe, it } from "@effect/vitest"
import { UserId } from "@adalqarau/core"
import { Duration, Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { makeJwtAccessTokens } from "../src/auth/JwtAccessTokens.ts"

const secret = new TextEncoder().encode("a-test-secret-of-at-least-thirty-two-bytes")
const alice = Schema.decodeUnknownSync(UserId)("alice")
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
      const { token } = yield* tokens.issue(alice)
      assert.strictEqual(yield* tokens.verify(token), alice)
      yield* TestClock.adjust(Duration.seconds(59))
      assert.strictEqual(yield* tokens.verify(token), alice)
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
      const { token } = yield* tokens.issue(alice)
      assert.strictEqual(yield* tokens.verify(token), alice)
      const [header, payload, signature] = token.split(".")
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString("base64url")}.${signature}`
      assert.deepStrictEqual(yield* outcome(tokens.verify(forged)), { ok: false, message: "invalid access token" })
      assert.strictEqual(yield* tokens.verify(token), alice)
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
      const { token } = yield* ours.issue(alice)
      assert.strictEqual(yield* ours.verify(token), alice)
      assert.deepStrictEqual(yield* outcome(theirs.verify(token)), { ok: false, message: "invalid access token" })
    })
  )
})
