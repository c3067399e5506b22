import { Effect, Layer, Option } from "effect"
import type { Instant } from "../domain/Ids.ts"
import { type RefreshSession, SessionStore } from "../ports/SessionStore.ts"

/** A SessionStore in process memory. Effects run one at a time on the JS thread, so `consume` is atomic. */
export const makeMemorySessionStore = Effect.sync(() => {
  const byHash = new Map<string, RefreshSession>()

  const revokeWhere = (at: Instant, predicate: (s: RefreshSession) => boolean): void => {
    for (const [hash, session] of byHash) {
      if (session.revokedAt === null && predicate(session)) byHash.set(hash, { ...session, revokedAt: at })
    }
  }

  return SessionStore.of({
    insert: (session) =>
      Effect.sync(() => {
        byHash.set(session.tokenHash, session)
      }),
    consume: (tokenHash, at) =>
      Effect.sync(() => {
        const before = byHash.get(tokenHash)
        if (before === undefined) return Option.none()
        if (before.rotatedAt === null) byHash.set(tokenHash, { ...before, rotatedAt: at })
        return Option.some(before)
      }),
    find: (tokenHash) => Effect.sync(() => Option.fromNullishOr(byHash.get(tokenHash))),
    revokeFamily: (familyId, at) => Effect.sync(() => revokeWhere(at, (s) => s.familyId === familyId)),
    revokeUser: (userId, at) => Effect.sync(() => revokeWhere(at, (s) => s.userId === userId)),
    deleteExpired: (before) =>
      Effect.sync(() => {
        let deleted = 0
        for (const [hash, session] of byHash) {
          if (session.expiresAt < before) {
            byHash.delete(hash)
            deleted++
          }
        }
        return deleted
      })
  })
})

export const layerMemorySessionStore: Layer.Layer<SessionStore> = Layer.effect(SessionStore, makeMemorySessionStore)
