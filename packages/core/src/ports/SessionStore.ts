import { Context, type Effect, type Option, Schema } from "effect"
import { Instant } from "../domain/Ids.ts"
import { UserId } from "./UserStore.ts"

export class SessionStoreError extends Schema.TaggedError<SessionStoreError>()("SessionStoreError", {
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * One refresh token. Only its SHA-256 hash is stored, so a leaked table grants nothing. Every token issued by
 * rotating another belongs to the same family (one login); reuse of a rotated token revokes the whole family.
 */
export const RefreshSession = Schema.Struct({
  /** Hex SHA-256 of the token. */
  tokenHash: Schema.String,
  familyId: Schema.String,
  userId: UserId,
  issuedAt: Instant,
  expiresAt: Instant,
  /** When the token was exchanged for its successor; a second use after this is a reuse. */
  rotatedAt: Schema.NullOr(Instant),
  /** When its family was revoked (logout, reuse detected, user disabled). */
  revokedAt: Schema.NullOr(Instant)
})
export type RefreshSession = typeof RefreshSession.Type

/** Refresh-token sessions of the server's users. */
export class SessionStore extends Context.Service<
  SessionStore,
  {
    readonly insert: (session: RefreshSession) => Effect.Effect<void, SessionStoreError>
    /**
     * Marks the token used (sets `rotatedAt` when it is null) and returns the session as it was before this call.
     * Atomic: of two concurrent calls for one token, exactly one sees `rotatedAt` null — that is how reuse is
     * detected without a race. None when no session has this hash.
     */
    readonly consume: (
      tokenHash: string,
      at: Instant
    ) => Effect.Effect<Option.Option<RefreshSession>, SessionStoreError>
    readonly find: (tokenHash: string) => Effect.Effect<Option.Option<RefreshSession>, SessionStoreError>
    /** Revokes every session of the family that is not revoked yet. */
    readonly revokeFamily: (familyId: string, at: Instant) => Effect.Effect<void, SessionStoreError>
    /**
     * Whether a session of the family is revoked: asked for every request whose access token names its family, so
     * that logout and reuse cut that login's access tokens too. A family none of whose sessions is stored (never
     * opened, or deleted once expired) answers false.
     */
    readonly familyRevoked: (familyId: string) => Effect.Effect<boolean, SessionStoreError>
    /** Revokes every session of the user (when the user is disabled or its password changes). */
    readonly revokeUser: (userId: UserId, at: Instant) => Effect.Effect<void, SessionStoreError>
    /**
     * Deletes sessions that expired before `before`; returns how many. A revoked family is known as revoked only
     * while its sessions are stored, so the caller keeps them for as long as the family's access tokens may live.
     */
    readonly deleteExpired: (before: Instant) => Effect.Effect<number, SessionStoreError>
  }
>()("@adalqarau/core/SessionStore") {}
