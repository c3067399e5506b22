import { type AccessTokenSubject, AccessTokens, type Instant, LruMap, Unauthenticated, UserId } from "@adalqarau/core"
import { Clock, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"
import { randomBytes, randomUUID } from "node:crypto"
import { AuthConfig, MIN_SECRET_BYTES } from "./AuthConfig.ts"

const ISSUER = "adalqarau"
const AUDIENCE = "adalqarau-api"
/** Pinned: tokens naming any other algorithm (`none`, RS256 with our secret as a "public key", …) are refused. */
const ALGORITHM = "HS256"

const decodeUserId = Schema.decodeUnknownOption(UserId)

/**
 * The private claim carrying the user's `tokensRevokedAt` at issue (epoch milliseconds); absent while the user's
 * tokens were never revoked, as in tokens issued before the claim existed.
 */
const REVOCATION_CLAIM = "rvk"

/**
 * The private claim naming the login's refresh-session family, which `Auth.authenticate` checks is not revoked;
 * absent in tokens issued before the claim existed.
 */
const SESSION_CLAIM = "sid"

/** The claim's value: absent, or a non-empty string (family ids are UUIDs, but the store decides what it knows). */
const sessionOf = (value: unknown): Option.Option<string | null> =>
  value === undefined
    ? Option.some(null)
    : typeof value === "string" && value.length > 0
      ? Option.some(value)
      : Option.none()

/** The claim's value: absent, or a whole number of milliseconds. */
const revocationOf = (value: unknown): Option.Option<Instant | null> =>
  value === undefined
    ? Option.some(null)
    : typeof value === "number" && Number.isSafeInteger(value)
      ? Option.some(value as Instant)
      : Option.none()

/**
 * Tokens already verified, so a client presenting the same token on every request pays for the signature check
 * once (about a fifth of a findings request's CPU). What the signature vouches for cannot change while the process
 * lives (the key is fixed at start), so an entry holds the subject and the expiry, and expiry is still checked on
 * every use. Revocation is not this cache's business: the entry keeps the claims, and `Auth.authenticate` compares
 * them with the user and the session family on every request. Bounded: one entry per live token, least recently
 * used dropped first.
 */
const VERIFIED_CAPACITY = 10_000

interface Verified {
  readonly subject: AccessTokenSubject
  /** The `exp` claim, in seconds. */
  readonly exp: number
}

/**
 * HS256 JWT access tokens (`jose`). Claims: `sub` (user id), `iss`, `aud`, `iat`, `exp`, `jti`, `rvk` (see
 * REVOCATION_CLAIM; the caller compares it with the user's current value) and `sid` (see SESSION_CLAIM).
 * Verification pins the algorithm and checks issuer, audience and expiry against the Effect clock (so tests can
 * move time).
 */
export const makeJwtAccessTokens = (secret: Uint8Array, ttl: Duration.Duration) => {
  const ttlSeconds = Math.max(1, Math.floor(Duration.toSeconds(ttl)))
  const verified = new LruMap<string, Verified>(VERIFIED_CAPACITY)
  return AccessTokens.of({
    issue: Effect.fn("AccessTokens.issue")(function* ({ userId, tokensRevokedAt, sessionId }) {
      const nowSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      const claims = {
        ...(tokensRevokedAt === null ? {} : { [REVOCATION_CLAIM]: tokensRevokedAt }),
        ...(sessionId === null ? {} : { [SESSION_CLAIM]: sessionId })
      }
      const token = yield* Effect.promise(() =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
          .setSubject(userId)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt(nowSeconds)
          .setExpirationTime(nowSeconds + ttlSeconds)
          .setJti(randomUUID())
          .sign(secret)
      )
      return { token, expiresIn: ttlSeconds }
    }),
    verify: Effect.fn("AccessTokens.verify")(function* (token) {
      const nowMs = yield* Clock.currentTimeMillis
      const known = verified.get(token)
      if (known !== undefined) {
        // jose's rule: expired once the current second reaches `exp`.
        if (Math.floor(nowMs / 1000) < known.exp) return known.subject
        verified.delete(token)
        return yield* new Unauthenticated({ message: "access token expired" })
      }
      const result = yield* Effect.tryPromise({
        try: () =>
          jwtVerify(token, secret, {
            algorithms: [ALGORITHM],
            issuer: ISSUER,
            audience: AUDIENCE,
            requiredClaims: ["sub", "exp", "iat"],
            currentDate: new Date(nowMs)
          }),
        catch: (cause) =>
          new Unauthenticated({
            message: cause instanceof errors.JWTExpired ? "access token expired" : "invalid access token"
          })
      })
      const userId = decodeUserId(result.payload.sub)
      const tokensRevokedAt = revocationOf(result.payload[REVOCATION_CLAIM])
      const sessionId = sessionOf(result.payload[SESSION_CLAIM])
      const exp = result.payload.exp
      if (Option.isNone(userId) || Option.isNone(tokensRevokedAt) || Option.isNone(sessionId) || exp === undefined)
        return yield* new Unauthenticated({ message: "invalid access token" })
      const subject: AccessTokenSubject = {
        userId: userId.value,
        tokensRevokedAt: tokensRevokedAt.value,
        sessionId: sessionId.value
      }
      verified.set(token, { subject, exp })
      return subject
    })
  })
}

/**
 * Access tokens keyed by `JWT_SECRET` (at least 32 bytes). Without it a random key is generated: the server works,
 * but every token dies with the process — fine for a demo, wrong behind a load balancer.
 */
export const layerJwtAccessTokens: Layer.Layer<AccessTokens, Error, AuthConfig> = Layer.effect(
  AccessTokens,
  Effect.gen(function* () {
    const config = yield* AuthConfig
    let secret: Uint8Array
    if (Option.isSome(config.jwtSecret)) {
      secret = new TextEncoder().encode(Redacted.value(config.jwtSecret.value))
      if (secret.length < MIN_SECRET_BYTES) {
        return yield* Effect.fail(new Error(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`))
      }
    } else {
      secret = randomBytes(MIN_SECRET_BYTES)
      yield* Effect.logWarning(
        "JWT_SECRET is not set (or is empty): generated a random signing key; access tokens will not survive a restart"
      )
    }
    return makeJwtAccessTokens(secret, config.accessTokenTtl)
  })
)
