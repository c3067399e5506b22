import { type Instant, type RefreshSession, SessionStore, SessionStoreError, type UserId } from "@adalqarau/core"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { bool, epochMs, instantText, nullableInstantText, num, str } from "../values.ts"
import { cannotBeStored, instant, instantOrNull, isStoredUserId, type Row } from "./rows.ts"

const storeError = (operation: string) => (cause: unknown) =>
  cause instanceof SessionStoreError
    ? cause
    : new SessionStoreError({ operation, message: cause instanceof Error ? cause.message : String(cause), cause })

const sessionSelect = (alias: string) =>
  `${alias}.token_hash, ${alias}.family_id, ${alias}.user_id::text AS user_id,
  ${epochMs(`${alias}.issued_at`)} AS issued_at, ${epochMs(`${alias}.expires_at`)} AS expires_at,
  ${epochMs(`${alias}.rotated_at`)} AS rotated_at, ${epochMs(`${alias}.revoked_at`)} AS revoked_at`

const sessionOfRow = (r: Row): RefreshSession => ({
  tokenHash: str(r.token_hash),
  familyId: str(r.family_id),
  userId: str(r.user_id) as UserId,
  issuedAt: instant(r.issued_at),
  expiresAt: instant(r.expires_at),
  rotatedAt: instantOrNull(r.rotated_at),
  revokedAt: instantOrNull(r.revoked_at)
})

export const makePgSessionStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const decodeOne = (operation: string, rows: ReadonlyArray<Row>) =>
    Effect.try({
      try: () => Option.map(Option.fromNullishOr(rows[0]), sessionOfRow),
      catch: storeError(operation)
    })

  // Inserting an existing hash replaces that session, as the in-memory store's Map.set does.
  const insert = (session: RefreshSession) =>
    sql`
      INSERT INTO refresh_session (token_hash, family_id, user_id, issued_at, expires_at, rotated_at, revoked_at)
      VALUES (${session.tokenHash}, ${session.familyId}, ${session.userId}::uuid,
              ${instantText(session.issuedAt)}::timestamptz, ${instantText(session.expiresAt)}::timestamptz,
              ${nullableInstantText(session.rotatedAt)}::timestamptz, ${nullableInstantText(session.revokedAt)}::timestamptz)
      ON CONFLICT (token_hash) DO UPDATE SET family_id = excluded.family_id, user_id = excluded.user_id,
        issued_at = excluded.issued_at, expires_at = excluded.expires_at, rotated_at = excluded.rotated_at,
        revoked_at = excluded.revoked_at`.pipe(Effect.asVoid, Effect.mapError(storeError("insert")))

  /*
   * One statement, so it is atomic on its own. `before` locks the row (FOR UPDATE) and keeps it as it was; the
   * UPDATE sets rotated_at only when `before` saw it null; the result is `before`. A concurrent consume of the same
   * token blocks on the lock until this transaction ends and then reads the row as committed (PostgreSQL
   * re-fetches the latest version of a row it waited to lock, even under READ COMMITTED), so it sees rotated_at
   * set and changes nothing: of two calls, exactly one sees it null. MATERIALIZED makes explicit that `before` is
   * evaluated once, ahead of the update.
   */
  const consume = (tokenHash: string, at: Instant) =>
    cannotBeStored(tokenHash)
      ? Effect.succeed(Option.none<RefreshSession>())
      : sql<Row>`
          WITH before AS MATERIALIZED (
            SELECT token_hash, family_id, user_id, issued_at, expires_at, rotated_at, revoked_at
            FROM refresh_session WHERE token_hash = ${tokenHash} FOR UPDATE
          ), rotated AS (
            UPDATE refresh_session s SET rotated_at = ${instantText(at)}::timestamptz
            FROM before b WHERE s.token_hash = b.token_hash AND b.rotated_at IS NULL
          )
          SELECT ${sql.literal(sessionSelect("b"))} FROM before b`.pipe(
          Effect.flatMap((rows) => decodeOne("consume", rows)),
          Effect.mapError(storeError("consume"))
        )

  const find = (tokenHash: string) =>
    cannotBeStored(tokenHash)
      ? Effect.succeed(Option.none<RefreshSession>())
      : sql<Row>`SELECT ${sql.literal(sessionSelect("s"))} FROM refresh_session s WHERE s.token_hash = ${tokenHash}`.pipe(
          Effect.flatMap((rows) => decodeOne("find", rows)),
          Effect.mapError(storeError("find"))
        )

  // Migration 0022's partial index holds the revoked sessions only: one probe, however many a family has.
  const familyRevoked = (familyId: string) =>
    cannotBeStored(familyId)
      ? Effect.succeed(false)
      : sql<Row>`
          SELECT EXISTS (
            SELECT 1 FROM refresh_session WHERE family_id = ${familyId} AND revoked_at IS NOT NULL
          ) AS revoked`.pipe(
          Effect.flatMap((rows) =>
            Effect.try({ try: () => bool(rows[0]?.revoked), catch: storeError("familyRevoked") })
          ),
          Effect.mapError(storeError("familyRevoked"))
        )

  const revokeFamily = (familyId: string, at: Instant) =>
    cannotBeStored(familyId)
      ? Effect.void
      : sql`
          UPDATE refresh_session SET revoked_at = ${instantText(at)}::timestamptz
          WHERE family_id = ${familyId} AND revoked_at IS NULL`.pipe(
          Effect.asVoid,
          Effect.mapError(storeError("revokeFamily"))
        )

  const revokeUser = (userId: UserId, at: Instant) =>
    isStoredUserId(userId)
      ? sql`
          UPDATE refresh_session SET revoked_at = ${instantText(at)}::timestamptz
          WHERE user_id = ${userId}::uuid AND revoked_at IS NULL`.pipe(
          Effect.asVoid,
          Effect.mapError(storeError("revokeUser"))
        )
      : Effect.void

  // Counted by the statement itself: the drivers report affected rows differently.
  const deleteExpired = (before: Instant) =>
    sql<Row>`
      WITH deleted AS (
        DELETE FROM refresh_session WHERE expires_at < ${instantText(before)}::timestamptz RETURNING 1
      )
      SELECT count(*) AS n FROM deleted`.pipe(
      Effect.flatMap((rows) => Effect.try({ try: () => num(rows[0]?.n), catch: storeError("deleteExpired") })),
      Effect.mapError(storeError("deleteExpired"))
    )

  return SessionStore.of({ insert, consume, find, familyRevoked, revokeFamily, revokeUser, deleteExpired })
})

export const layerPgSessionStore: Layer.Layer<SessionStore, never, SqlClient.SqlClient> = Layer.effect(
  SessionStore,
  makePgSessionStore
)
