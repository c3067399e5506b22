import { Clock, Effect, Option, type Redacted, Schema } from "effect"
import type { Instant } from "../domain/Ids.ts"
import { SessionStore } from "../ports/SessionStore.ts"
import { type StoredUser, Username, UserStore } from "../ports/UserStore.ts"
import { AccessTokens, LoginThrottle, PasswordHasher, RefreshTokens } from "./Credentials.ts"
import { storeUnavailable, Unauthenticated } from "./Errors.ts"
import type { Principal } from "./Policy.ts"

/** What a successful login or refresh hands out. */
export const TokenPair = Schema.Struct({
  accessToken: Schema.String,
  tokenType: Schema.Literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: Schema.Int,
  /** Single-use: exchange it once at refresh for a new pair. */
  refreshToken: Schema.String,
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: Schema.Int
})
export type TokenPair = typeof TokenPair.Type

/** The form usernames are stored and compared in. */
export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase()

const INVALID_CREDENTIALS = "invalid username or password"

const now = Effect.map(Clock.currentTimeMillis, (ms) => ms as Instant)

/**
 * Issues under the user as it was read, so a password change committed since voids the access token, and names the
 * family in it, so the family's revocation does too.
 */
const issueTokens = Effect.fn("Auth.issueTokens")(function* (user: StoredUser, familyId: string) {
  const access = yield* AccessTokens
  const refresh = yield* RefreshTokens
  const sessions = yield* SessionStore
  const at = yield* now
  const userId = user.id
  const accessToken = yield* access.issue({ userId, tokensRevokedAt: user.tokensRevokedAt, sessionId: familyId })
  const refreshToken = yield* refresh.generate
  yield* sessions.insert({
    tokenHash: refreshToken.hash,
    familyId,
    userId,
    issuedAt: at,
    expiresAt: (at + refresh.ttlMillis) as Instant,
    rotatedAt: null,
    revokedAt: null
  })
  const pair: TokenPair = {
    accessToken: accessToken.token,
    tokenType: "Bearer",
    expiresIn: accessToken.expiresIn,
    refreshToken: refreshToken.token,
    refreshExpiresIn: Math.floor(refresh.ttlMillis / 1000)
  }
  return pair
})

/**
 * Whether the user was disabled or had their tokens revoked since `user` was read, once a session of `familyId` has
 * been stored under that read; if so, the family is revoked. A password change or disable revokes the user's
 * sessions after its update: either after this session was stored, which revokes it too, or before, and then this
 * read sees the change. findByUsername reads the store itself (the cached store caches lookups by id only).
 */
const revokedSinceRead = (user: StoredUser, familyId: string) =>
  Effect.gen(function* () {
    const current = yield* (yield* UserStore).findByUsername(user.username)
    if (Option.isSome(current) && !current.value.disabled && current.value.tokensRevokedAt === user.tokensRevokedAt) {
      return false
    }
    yield* (yield* SessionStore).revokeFamily(familyId, yield* now)
    return true
  })

export interface LoginInput {
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly clientAddress: string
}

/**
 * Checks a password and opens a session (a new refresh-token family). Unknown users, wrong passwords and disabled
 * accounts answer alike, in about the same time; every attempt counts against the throttle before it is checked.
 */
export const login = Effect.fn("Auth.login")(function* (input: LoginInput) {
  const throttle = yield* LoginThrottle
  const users = yield* UserStore
  const hasher = yield* PasswordHasher
  const attempt = { username: normalizeUsername(input.username), clientAddress: input.clientAddress }
  yield* throttle.reserve(attempt)
  const username = Schema.decodeUnknownOption(Username)(attempt.username)
  const found: Option.Option<StoredUser> = Option.isSome(username)
    ? yield* users.findByUsername(username.value)
    : Option.none()
  if (Option.isNone(found)) {
    yield* hasher.burn(input.password)
    return yield* new Unauthenticated({ message: INVALID_CREDENTIALS })
  }
  const user = found.value
  const matches = yield* hasher.verify(input.password, user.passwordHash)
  if (!matches || user.disabled) return yield* new Unauthenticated({ message: INVALID_CREDENTIALS })
  yield* throttle.succeeded(attempt)
  const familyId = yield* (yield* RefreshTokens).newFamilyId
  const pair = yield* issueTokens(user, familyId)
  // The old password may have been checked while it changed.
  if (yield* revokedSinceRead(user, familyId)) return yield* new Unauthenticated({ message: INVALID_CREDENTIALS })
  yield* Effect.logInfo("login").pipe(Effect.annotateLogs({ userId: user.id }))
  return pair
}, storeUnavailable)

/**
 * Exchanges a refresh token for a new pair in the same family. A token is good once: presenting a rotated token
 * again means it was copied, so the whole family (every token of that login) is revoked.
 */
export const refresh = Effect.fn("Auth.refresh")(function* (refreshToken: string) {
  const tokens = yield* RefreshTokens
  const sessions = yield* SessionStore
  const users = yield* UserStore
  const at = yield* now
  const hash = yield* tokens.hash(refreshToken)
  const consumed = yield* sessions.consume(hash, at)
  if (Option.isNone(consumed)) return yield* new Unauthenticated({ message: "unknown refresh token" })
  const session = consumed.value
  if (session.revokedAt !== null) return yield* new Unauthenticated({ message: "refresh token revoked" })
  if (session.rotatedAt !== null) {
    yield* sessions.revokeFamily(session.familyId, at)
    yield* Effect.logWarning("refresh token reused; session family revoked").pipe(
      Effect.annotateLogs({ userId: session.userId, familyId: session.familyId })
    )
    return yield* new Unauthenticated({
      message: "refresh token already used; every session of that login is now revoked"
    })
  }
  if (session.expiresAt <= at) return yield* new Unauthenticated({ message: "refresh token expired" })
  const user = yield* users.findById(session.userId)
  if (Option.isNone(user) || user.value.disabled) {
    yield* sessions.revokeFamily(session.familyId, at)
    return yield* new Unauthenticated({ message: "account disabled" })
  }
  // A password change commits the user's new tokensRevokedAt first and revokes the sessions after: a session
  // consumed in between is not revoked yet, but was issued before the change.
  const revokedAt = user.value.tokensRevokedAt
  if (revokedAt !== null && session.issuedAt < revokedAt) {
    yield* sessions.revokeFamily(session.familyId, at)
    return yield* new Unauthenticated({ message: "refresh token revoked" })
  }
  const pair = yield* issueTokens(user.value, session.familyId)
  if (yield* revokedSinceRead(user.value, session.familyId)) {
    return yield* new Unauthenticated({ message: "refresh token revoked" })
  }
  // A logout or a reuse revoking the family after this token was consumed may miss the session just stored, whose
  // pair would then refresh forever into access tokens that are refused. Asked after the insert: a revocation
  // committed before is seen here, one that starts after revokes the new session too, and a session that escapes
  // both (the statements overlapping) is caught here at its own refresh.
  if (yield* sessions.familyRevoked(session.familyId)) {
    yield* sessions.revokeFamily(session.familyId, yield* now)
    return yield* new Unauthenticated({ message: "refresh token revoked" })
  }
  return pair
}, storeUnavailable)

/**
 * Revokes the session family of a refresh token, which cuts the access tokens naming it too (see `authenticate`).
 * Idempotent, and silent about unknown tokens.
 */
export const logout = Effect.fn("Auth.logout")(function* (refreshToken: string) {
  const tokens = yield* RefreshTokens
  const sessions = yield* SessionStore
  const hash = yield* tokens.hash(refreshToken)
  const session = yield* sessions.find(hash)
  if (Option.isSome(session)) yield* sessions.revokeFamily(session.value.familyId, yield* now)
}, storeUnavailable)

/**
 * The principal behind an access token. The user and the token's session family are read from the stores on every
 * request (from memory, where the stores are cached), so disabling a user, changing its password, roles or
 * regions, logging out and reusing a refresh token take effect at once, not when the token expires.
 */
export const authenticate = Effect.fn("Auth.authenticate")(function* (accessToken: string) {
  const token = yield* (yield* AccessTokens).verify(accessToken)
  const user = yield* (yield* UserStore).findById(token.userId)
  if (Option.isNone(user) || user.value.disabled) {
    return yield* new Unauthenticated({ message: "the token's user no longer exists or is disabled" })
  }
  // Issued before the user's tokens were last revoked (a password change, or a disable since lifted), or to a login
  // since logged out or caught reusing a refresh token. Answered as an expired token, because the client should do
  // what it does then: refresh (which fails too, the sessions being revoked), then log in.
  if (token.tokensRevokedAt !== user.value.tokensRevokedAt) {
    return yield* new Unauthenticated({ message: "access token expired" })
  }
  if (token.sessionId !== null && (yield* (yield* SessionStore).familyRevoked(token.sessionId))) {
    return yield* new Unauthenticated({ message: "access token expired" })
  }
  const principal: Principal = {
    userId: user.value.id,
    username: user.value.username,
    roles: user.value.roles,
    regions: user.value.regions
  }
  return principal
}, storeUnavailable)
