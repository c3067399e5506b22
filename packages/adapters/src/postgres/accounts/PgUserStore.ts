import {
  isActiveAdmin,
  LastActiveAdmin,
  mayRemoveAnAdmin,
  type NewUser,
  type RegionCode,
  REGION_CODES,
  ROLES,
  type Role,
  type StoredUser,
  type User,
  type UserId,
  type UserListQuery,
  type Username,
  UsernameTaken,
  type UserPatch,
  UserStore,
  UserStoreError,
  userWriteProblem
} from "@adalqarau/core"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { bool, epochMs, instantText, num, pgArray, str, UnexpectedValue } from "../values.ts"
import { cannotBeStored, instant, instantOrNull, isStoredUserId, limitOf, type Row, textArray } from "./rows.ts"

const storeError = (operation: string) => (cause: unknown) =>
  cause instanceof UserStoreError
    ? cause
    : new UserStoreError({ operation, message: cause instanceof Error ? cause.message : String(cause), cause })

const USER_SELECT = `id::text AS id, username, display_name, roles, regions, disabled, password_hash,
  ${epochMs("tokens_revoked_at")} AS tokens_revoked_at, ${epochMs("created_at")} AS created_at,
  ${epochMs("updated_at")} AS updated_at`

const ROLE_SET: ReadonlySet<string> = new Set(ROLES)
const REGION_SET: ReadonlySet<string> = new Set(REGION_CODES)

const roleOf = (value: string): Role => {
  if (!ROLE_SET.has(value)) throw new UnexpectedValue("role", value)
  return value as Role
}

const regionOf = (value: string): RegionCode => {
  if (!REGION_SET.has(value)) throw new UnexpectedValue("region code", value)
  return value as RegionCode
}

const userOfRow = (r: Row): StoredUser => ({
  id: str(r.id) as UserId,
  username: str(r.username) as Username,
  displayName: str(r.display_name),
  roles: textArray(r.roles).map(roleOf),
  regions: textArray(r.regions).map(regionOf),
  disabled: bool(r.disabled),
  passwordHash: str(r.password_hash),
  tokensRevokedAt: instantOrNull(r.tokens_revoked_at),
  createdAt: instant(r.created_at),
  updatedAt: instant(r.updated_at)
})

const publicView = ({ passwordHash: _hash, tokensRevokedAt: _revoked, ...user }: StoredUser): User => user

/**
 * The bound that selects exactly the usernames the in-memory store returns for `afterUsername`. Stored usernames
 * never contain NUL, so for `p + "\0" + rest` the names sorting after it are those sorting after `p`; and PostgreSQL
 * could not take the NUL as a parameter anyway.
 */
const afterBound = (after: string): string => {
  const nul = after.indexOf("\u0000")
  return nul === -1 ? after : after.slice(0, nul)
}

export const makePgUserStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const decodeOne = (operation: string, rows: ReadonlyArray<Row>) =>
    Effect.try({
      try: () => Option.map(Option.fromNullishOr(rows[0]), userOfRow),
      catch: storeError(operation)
    })

  // ON CONFLICT DO NOTHING rather than catching the unique violation: no error classification to rely on (the
  // drivers report it differently), and a concurrent insert of the same name waits for the other to commit,
  // then finds the name taken.
  const create = (input: NewUser) =>
    Effect.gen(function* () {
      const problem = userWriteProblem(input)
      if (problem !== undefined) return yield* new UserStoreError({ operation: "create", message: problem })
      const at = instantText(input.at)
      const rows = yield* sql<Row>`
        INSERT INTO app_user (username, display_name, roles, regions, password_hash, created_at, updated_at)
        VALUES (${input.username}, ${input.displayName}, ${pgArray(input.roles)}::text[], ${pgArray(input.regions)}::text[],
                ${input.passwordHash}, ${at}::timestamptz, ${at}::timestamptz)
        ON CONFLICT (username) DO NOTHING
        RETURNING ${sql.literal(USER_SELECT)}`.pipe(Effect.mapError(storeError("create")))
      const created = yield* decodeOne("create", rows)
      if (Option.isNone(created)) return yield* new UsernameTaken({ username: input.username })
      return created.value
    })

  const findById = (id: UserId) =>
    isStoredUserId(id)
      ? sql<Row>`SELECT ${sql.literal(USER_SELECT)} FROM app_user WHERE id = ${id}::uuid`.pipe(
          Effect.flatMap((rows) => decodeOne("findById", rows)),
          Effect.mapError(storeError("findById"))
        )
      : Effect.succeed(Option.none<StoredUser>())

  const findByUsername = (username: Username) =>
    cannotBeStored(username)
      ? Effect.succeed(Option.none<StoredUser>())
      : sql<Row>`SELECT ${sql.literal(USER_SELECT)} FROM app_user WHERE username = ${username}`.pipe(
          Effect.flatMap((rows) => decodeOne("findByUsername", rows)),
          Effect.mapError(storeError("findByUsername"))
        )

  const list = (query: UserListQuery) =>
    Effect.gen(function* () {
      const where = query.afterUsername === undefined ? sql`TRUE` : sql`username > ${afterBound(query.afterUsername)}`
      const rows = yield* sql<Row>`
        SELECT ${sql.literal(USER_SELECT)} FROM app_user WHERE ${where}
        ORDER BY username LIMIT ${limitOf(query.limit)}`
      return yield* Effect.try({
        try: (): ReadonlyArray<User> => rows.map((r) => publicView(userOfRow(r))),
        catch: storeError("list")
      })
    }).pipe(Effect.mapError(storeError("list")))

  // Absent fields travel as NULL and COALESCE keeps the stored value: no patch field can be set to NULL.
  // GREATEST skips a NULL tokens_revoked_at, and otherwise keeps the value moving forward.
  const applyPatch = (id: UserId, patch: UserPatch) =>
    sql<Row>`
      UPDATE app_user SET
        display_name = COALESCE(${patch.displayName ?? null}::text, display_name),
        roles = COALESCE(${patch.roles === undefined ? null : pgArray(patch.roles)}::text[], roles),
        regions = COALESCE(${patch.regions === undefined ? null : pgArray(patch.regions)}::text[], regions),
        disabled = COALESCE(${patch.disabled === undefined ? null : String(patch.disabled)}::boolean, disabled),
        password_hash = COALESCE(${patch.passwordHash ?? null}::text, password_hash),
        tokens_revoked_at = CASE WHEN ${patch.revokeTokens === true}::boolean
          THEN GREATEST(${instantText(patch.at)}::timestamptz, tokens_revoked_at + interval '1 millisecond')
          ELSE tokens_revoked_at END,
        updated_at = ${instantText(patch.at)}::timestamptz
      WHERE id = ${id}::uuid
      RETURNING ${sql.literal(USER_SELECT)}`.pipe(Effect.flatMap((rows) => decodeOne("update", rows)))

  // A patch that could remove an admin first locks every active admin's row, in one order. Concurrent such patches
  // queue there, and each counts the admins only after the one before it committed (READ COMMITTED re-reads the
  // locked rows): of two admins disabling each other, the second finds itself the last and fails.
  const guardedPatch = (id: UserId, patch: UserPatch) =>
    sql.withTransaction(
      Effect.gen(function* () {
        const admins = yield* sql<Row>`
          SELECT id::text AS id FROM app_user WHERE NOT disabled AND 'admin' = ANY (roles)
          ORDER BY id FOR UPDATE`
        const updated = yield* applyPatch(id, patch)
        if (Option.isSome(updated) && admins.length === 1 && admins[0]?.id === id && !isActiveAdmin(updated.value)) {
          return yield* new LastActiveAdmin({ userId: id })
        }
        return updated
      })
    )

  const update = (id: UserId, patch: UserPatch) => {
    const problem = userWriteProblem(patch)
    if (problem !== undefined) return Effect.fail(new UserStoreError({ operation: "update", message: problem }))
    return isStoredUserId(id)
      ? (mayRemoveAnAdmin(patch) ? guardedPatch(id, patch) : applyPatch(id, patch)).pipe(
          Effect.mapError((e) => (e instanceof LastActiveAdmin ? e : storeError("update")(e)))
        )
      : Effect.succeed(Option.none<StoredUser>())
  }

  const countActiveAdmins = sql<Row>`
    SELECT count(*) AS n FROM app_user WHERE NOT disabled AND 'admin' = ANY (roles)`.pipe(
    Effect.flatMap((rows) => Effect.try({ try: () => num(rows[0]?.n), catch: storeError("countActiveAdmins") })),
    Effect.mapError(storeError("countActiveAdmins"))
  )

  return UserStore.of({ create, findById, findByUsername, list, update, countActiveAdmins })
})

export const layerPgUserStore: Layer.Layer<UserStore, never, SqlClient.SqlClient> = Layer.effect(
  UserStore,
  makePgUserStore
)
