import { Context, type Effect, type Redacted } from "effect"
import type { Instant } from "../domain/Ids.ts"
import type { UserId } from "../ports/UserStore.ts"
import type { TooManyAttempts, Unauthenticated } from "./Errors.ts"

/**
 * The capabilities the auth use cases need and core cannot provide itself (core depends on `effect` only: hashing,
 * signing and randomness live in the server package behind these services).
 */

/** A memory-hard password hash (scrypt, argon2id, …) in a self-describing text form. */
export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
    /** Constant-time comparison; a hash in an unknown format verifies as false. */
    readonly verify: (password: Redacted.Redacted<string>, hash: string) => Effect.Effect<boolean>
    /**
     * Spends the time of one verification without a stored hash, so that an unknown username answers as slowly as
     * a wrong password and cannot be told apart by timing.
     */
    readonly burn: (password: Redacted.Redacted<string>) => Effect.Effect<void>
  }
>()("@adalqarau/core/app/PasswordHasher") {}

export interface IssuedAccessToken {
  readonly token: string
  /** Seconds until it expires. */
  readonly expiresIn: number
}

/**
 * What an access token says about its user: who, the user's `tokensRevokedAt` when it was issued, and the login
 * (refresh-session family) it was issued to. Carrying that value rather than comparing the issue time with it
 * keeps the check exact: `iat` has whole seconds only, and a login that checked the old password just before a
 * change is still issued under the old value.
 */
export interface AccessTokenSubject {
  readonly userId: UserId
  readonly tokensRevokedAt: Instant | null
  /**
   * The session family, so that a logout or a reused refresh token cuts the token too. Null in tokens issued
   * before it was carried: those live until they expire.
   */
  readonly sessionId: string | null
}

/** Short-lived signed access tokens (JWT) that name a user. */
export class AccessTokens extends Context.Service<
  AccessTokens,
  {
    readonly issue: (subject: AccessTokenSubject) => Effect.Effect<IssuedAccessToken>
    /** Checks signature, algorithm, issuer, audience and expiry; any failure is `Unauthenticated`. */
    readonly verify: (token: string) => Effect.Effect<AccessTokenSubject, Unauthenticated>
  }
>()("@adalqarau/core/app/AccessTokens") {}

/** Opaque refresh tokens: random, stored only as a hash. */
export class RefreshTokens extends Context.Service<
  RefreshTokens,
  {
    /** A fresh random token (at least 256 bits) and its hash. */
    readonly generate: Effect.Effect<{ readonly token: string; readonly hash: string }>
    readonly hash: (token: string) => Effect.Effect<string>
    readonly newFamilyId: Effect.Effect<string>
    /** How long a refresh token stays valid, in milliseconds. */
    readonly ttlMillis: number
  }
>()("@adalqarau/core/app/RefreshTokens") {}

/** Who is trying to log in, for rate limiting. */
export interface LoginAttempt {
  readonly username: string
  /** The client's address as the server saw it (after trusted-proxy handling); "unknown" when it has none. */
  readonly clientAddress: string
}

/**
 * Limits login attempts per username and per client address. An attempt is reserved before the password is
 * checked, so concurrent guesses count too; a successful login gives its reservation back.
 */
export class LoginThrottle extends Context.Service<
  LoginThrottle,
  {
    readonly reserve: (attempt: LoginAttempt) => Effect.Effect<void, TooManyAttempts>
    readonly succeeded: (attempt: LoginAttempt) => Effect.Effect<void>
  }
>()("@adalqarau/core/app/LoginThrottle") {}
