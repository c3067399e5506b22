import { type Instant, SessionStore } from "@adalqarau/core"
import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { AuthConfig } from "./AuthConfig.ts"

/** Beyond an access token's lifetime: servers' clocks may disagree about when a session expired. */
const CLOCK_MARGIN = Duration.minutes(1)

/**
 * Deletes expired refresh sessions every hour, so the table holds live sessions (and revoked ones until expiry).
 * A session is kept an access token's lifetime (plus a minute) past its own expiry: its family's access tokens are
 * refused once the family is revoked, and only the family's stored sessions can say so. The last access token of a
 * login is issued with its last session, so it expires before that session is deleted.
 */
export const layerExpiredSessionSweep = (
  every: Duration.Input = Duration.hours(1)
): Layer.Layer<never, never, SessionStore | AuthConfig> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const sessions = yield* SessionStore
      const keptMillis = Duration.toMillis(Duration.sum((yield* AuthConfig).accessTokenTtl, CLOCK_MARGIN))
      const sweep = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        sessions.deleteExpired((now - keptMillis) as Instant)
      ).pipe(
        Effect.tap((deleted) =>
          deleted > 0 ? Effect.logInfo("deleted expired sessions").pipe(Effect.annotateLogs({ deleted })) : Effect.void
        ),
        Effect.catch((error) => Effect.logError("could not delete expired sessions", error))
      )
      yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(every)))
    })
  )
