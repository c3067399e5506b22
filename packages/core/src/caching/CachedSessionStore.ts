import { Effect, Layer } from "effect"
import { ChangeFeed } from "../ports/ChangeFeed.ts"
import { SessionStore } from "../ports/SessionStore.ts"
import { makeReadThroughCache } from "./ReadThroughCache.ts"

/**
 * A SessionStore that answers `familyRevoked` — asked on every request whose access token names its login — from
 * process memory while no revocation has been announced (see ChangeFeed). A logout or a reuse cuts the family's
 * access tokens from the next request on: through this store at once, through another process as soon as the
 * revocation is announced. Everything else goes to the store.
 */
export const cachedSessionStore = (
  store: SessionStore["Service"],
  feed: ChangeFeed["Service"],
  options: { readonly capacity?: number } = {}
): SessionStore["Service"] => {
  const revoked = makeReadThroughCache<string, boolean>(feed, {
    name: "session_families_revoked",
    topic: "sessions",
    capacity: options.capacity ?? 10_000
  })
  return SessionStore.of({
    ...store,
    // Logins insert all the time, unrevoked: only an insert that could change an answer forgets the copies.
    insert: (session) =>
      session.revokedAt === null
        ? store.insert(session)
        : store.insert(session).pipe(Effect.ensuring(revoked.invalidate)),
    familyRevoked: (familyId) => revoked.read(familyId, store.familyRevoked(familyId)),
    revokeFamily: (familyId, at) => store.revokeFamily(familyId, at).pipe(Effect.ensuring(revoked.invalidate)),
    revokeUser: (userId, at) => store.revokeUser(userId, at).pipe(Effect.ensuring(revoked.invalidate))
  })
}

/** Wraps the SessionStore below it (provide the store and a ChangeFeed to this layer). */
export const layerCachedSessionStore = (
  options: { readonly capacity?: number } = {}
): Layer.Layer<SessionStore, never, SessionStore | ChangeFeed> =>
  Layer.effect(
    SessionStore,
    Effect.gen(function* () {
      return cachedSessionStore(yield* SessionStore, yield* ChangeFeed, options)
    })
  )
