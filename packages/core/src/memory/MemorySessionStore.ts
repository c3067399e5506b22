import { Effect, Layer, Option } from "effect"
import type { Instant } from "../domain/Ids.ts"
import { type RefreshSession, SessionStore } from "../ports/SessionStore.ts"
import type { UserId } from "../ports/UserStore.ts"

/** A SessionStore in process memory. Effects run one at a time on the JS thread, so `consume` is atomic. */
export const makeMemorySessionStore = Effect.sync(() => {
  const byHash = new Map<string, RefreshSession>()
  // Every authenticated request asks about its token's family: answered from that family's sessions, not all.
  const hashesByFamily = new Map<string, Set<string>>()

  const forget = (session: RefreshSession): void => {
    const hashes = hashesByFamily.get(session.familyId)
    hashes?.delete(session.tokenHash)
    if (hashes?.size === 0) hashesByFamily.delete(session.familyId)
  }

  const familyOf = (familyId: string): ReadonlyArray<RefreshSession> =>
    Array.from(hashesByFamily.get(familyId) ?? [], (hash) => byHash.get(hash)).filter((s) => s !== undefined)

  const ofUser = (userId: UserId): ReadonlyArray<RefreshSession> =>
    Array.from(byHash.values()).filter((s) => s.userId === userId)

  const revoke = (sessions: Iterable<RefreshSession>, at: Instant): void => {
    for (const session of sessions) {
      if (session.revokedAt === null) byHash.set(session.tokenHash, { ...session, revokedAt: at })
    }
  }

  return SessionStore.of({
    insert: (session) =>
      Effect.sync(() => {
        const replaced = byHash.get(session.tokenHash)
        if (replaced !== undefined) forget(replaced)
        byHash.set(session.tokenHash, session)
        const hashes = hashesByFamily.get(session.familyId) ?? new Set<string>()
        hashes.add(session.tokenHash)
        hashesByFamily.set(session.familyId, hashes)
      }),
    consume: (tokenHash, at) =>
      Effect.sync(() => {
        const before = byHash.get(tokenHash)
        if (before === undefined) return Option.none()
        if (before.rotatedAt === null) byHash.set(tokenHash, { ...before, rotatedAt: at })
        return Option.some(before)
      }),
    find: (tokenHash) => Effect.sync(() => Option.fromNullishOr(byHash.get(tokenHash))),
    familyRevoked: (familyId) => Effect.sync(() => familyOf(familyId).some((s) => s.revokedAt !== null)),
    revokeFamily: (familyId, at) => Effect.sync(() => revoke(familyOf(familyId), at)),
    revokeUser: (userId, at) => Effect.sync(() => revoke(ofUser(userId), at)),
    deleteExpired: (before) =>
      Effect.sync(() => {
        let deleted = 0
        for (const [hash, session] of byHash) {
          if (session.expiresAt < before) {
            byHash.delete(hash)
            forget(session)
            deleted++
          }
        }
        return deleted
      })
  })
})

export const layerMemorySessionStore: Layer.Layer<SessionStore> = Layer.effect(SessionStore, makeMemorySessionStore)
