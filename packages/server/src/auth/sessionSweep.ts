import { type Instant, SessionStore } from "@adalqarau/core"
import { Clock, Duration, Effect, Layer, Schedule } from "effect"

/** Deletes expired refresh sessions every hour, so the table holds live sessions (and revoked ones until expiry). */
export const layerExpiredSessionSweep = (
  every: Duration.Input = Duration.hours(1)
): Layer.Layer<never, never, SessionStore> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const sessions = yield* SessionStore
      const sweep = Effect.flatMap(Clock.currentTimeMillis, (now) => sessions.deleteExpired(now as Instant)).pipe(
        Effect.tap((deleted) =>
          deleted > 0 ? Effect.logInfo("deleted expired sessions").pipe(Effect.annotateLogs({ deleted })) : Effect.void
        ),
        Effect.catch((error) => Effect.logError("could not delete expired sessions", error))
      )
      yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(every)))
    })
  )
