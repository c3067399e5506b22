import { type LoginAttempt, LoginThrottle, TooManyAttempts, Username } from "@adalqarau/core"
import { Clock, Duration, Effect, Layer, Schema } from "effect"
import { AuthConfig } from "./AuthConfig.ts"

/**
 * Sliding-window counters of login attempts, per key. Pure bookkeeping over timestamps; the service below
 * supplies the clock.
 */
export class AttemptWindows {
  private readonly attempts = new Map<string, Array<number>>()
  private readonly windowMillis: number

  constructor(windowMillis: number) {
    this.windowMillis = windowMillis
  }

  private live(key: string, now: number): Array<number> {
    const kept = (this.attempts.get(key) ?? []).filter((at) => at > now - this.windowMillis)
    if (kept.length === 0) this.attempts.delete(key)
    else this.attempts.set(key, kept)
    return kept
  }

  /** Milliseconds until the key drops below `max` attempts, or 0 when it is below already. */
  blockedFor(key: string, max: number, now: number): number {
    const kept = this.live(key, now)
    if (kept.length < max) return 0
    return (kept[kept.length - max] as number) + this.windowMillis - now
  }

  record(key: string, now: number): void {
    this.attempts.set(key, [...this.live(key, now), now])
  }

  /** Gives back the latest attempt of the key (a login that succeeded was not a failure). */
  refund(key: string): void {
    const kept = this.attempts.get(key)
    if (kept === undefined) return
    kept.pop()
    if (kept.length === 0) this.attempts.delete(key)
  }

  clear(key: string): void {
    this.attempts.delete(key)
  }

  /** Drops every expired entry; keeps memory bounded by the attempts of one window. */
  sweep(now: number): void {
    for (const key of [...this.attempts.keys()]) this.live(key, now)
  }

  get size(): number {
    return this.attempts.size
  }
}

const SWEEP_ABOVE = 10_000

/**
 * What a log may say of the username a client sent: a valid one as it is; anything else could carry line breaks and
 * terminal escapes into a pretty log, or be a password typed in the wrong field.
 */
const usernameForLog = (username: string): string => (Schema.is(Username)(username) ? username : "(not a username)")

/**
 * Login throttling in process memory: `LOGIN_MAX_FAILURES_PER_USER` per username and
 * `LOGIN_MAX_FAILURES_PER_ADDRESS` per client address within `LOGIN_WINDOW`. Several server instances each keep
 * their own counts, so behind a load balancer the effective limit is per instance.
 */
export const layerMemoryLoginThrottle: Layer.Layer<LoginThrottle, never, AuthConfig> = Layer.effect(
  LoginThrottle,
  Effect.gen(function* () {
    const config = yield* AuthConfig
    const windows = new AttemptWindows(Duration.toMillis(config.loginWindow))
    const userKey = (a: LoginAttempt) => `user:${a.username}`
    const addressKey = (a: LoginAttempt) => `address:${a.clientAddress}`
    return LoginThrottle.of({
      reserve: (attempt) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          if (windows.size > SWEEP_ABOVE) windows.sweep(now)
          const wait = Math.max(
            windows.blockedFor(userKey(attempt), config.loginMaxFailuresPerUser, now),
            windows.blockedFor(addressKey(attempt), config.loginMaxFailuresPerAddress, now)
          )
          if (wait > 0) {
            return Effect.logWarning("login throttled").pipe(
              Effect.annotateLogs({ username: usernameForLog(attempt.username), clientAddress: attempt.clientAddress }),
              Effect.andThen(
                Effect.fail(
                  new TooManyAttempts({
                    message: "too many failed logins; try again later",
                    retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000))
                  })
                )
              )
            )
          }
          windows.record(userKey(attempt), now)
          windows.record(addressKey(attempt), now)
          return Effect.void
        }),
      succeeded: (attempt) =>
        Effect.sync(() => {
          windows.clear(userKey(attempt))
          windows.refund(addressKey(attempt))
        })
    })
  })
)
