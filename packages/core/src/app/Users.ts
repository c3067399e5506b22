import { Clock, Effect, Option, Redacted, Schema } from "effect"
import type { Instant } from "../domain/Ids.ts"
import { RegionCode } from "../domain/Region.ts"
import { unstorableInText } from "../domain/storableText.ts"
import { SessionStore } from "../ports/SessionStore.ts"
import { Role, type StoredUser, User, type UserId, Username, UserStore } from "../ports/UserStore.ts"
import { normalizeUsername } from "./Auth.ts"
import { PasswordHasher } from "./Credentials.ts"
import { Conflict, InvalidInput, NotFound, storeUnavailable } from "./Errors.ts"
import { type Permission, type Principal, ROLE_PERMISSIONS, requirePermission } from "./Policy.ts"

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 1024

const codePoints = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * A password as it travels in requests: checked for length, then kept redacted so it never reaches a log. Lengths
 * count characters (code points), as JSON Schema's `minLength` does: with `isMinLength`, which counts UTF-16 units,
 * the OpenAPI document promised 6 (the fewest characters that can make 12 units) where the server wanted 12.
 */
export const Password = Schema.RedactedFromValue(
  Schema.String.check(
    Schema.makeFilter(
      (text: string) =>
        codePoints(text) >= PASSWORD_MIN_LENGTH || `password must have at least ${PASSWORD_MIN_LENGTH} characters`,
      { toJsonSchema: () => ({ minLength: PASSWORD_MIN_LENGTH }) }
    ),
    Schema.makeFilter(
      (text: string) =>
        codePoints(text) <= PASSWORD_MAX_LENGTH || `password must have at most ${PASSWORD_MAX_LENGTH} characters`,
      { toJsonSchema: () => ({ maxLength: PASSWORD_MAX_LENGTH }) }
    )
  )
)

const Roles = Schema.Array(Role).check(Schema.isMinLength(1, { message: "give the user at least one role" }))
/**
 * Shown to people, stored as PostgreSQL text: no NUL (the store refuses it, which answered 503 as an outage) and no
 * lone UTF-16 surrogate (the driver would store U+FFFD in its place, changing the name silently).
 */
const DisplayName = Schema.String.check(
  Schema.makeFilter((text: string) => codePoints(text) <= 200 || "display name must have at most 200 characters", {
    toJsonSchema: () => ({ maxLength: 200 })
  }),
  Schema.makeFilter((text: string) => {
    const problem = unstorableInText(text)
    return problem === undefined || `display name must not contain ${problem}`
  })
)

export const CreateUserInput = Schema.Struct({
  /** Trimmed and lower-cased before it is checked and stored. */
  username: Schema.String.annotate({
    description:
      "3-64 characters: Latin letters, digits, '.', '_' or '-', starting with a letter or digit; trimmed and lower-cased " +
      "before it is checked and stored"
  }),
  displayName: Schema.optional(DisplayName),
  password: Password,
  roles: Roles,
  regions: Schema.Array(RegionCode)
})
export type CreateUserInput = typeof CreateUserInput.Type

export const UpdateUserInput = Schema.Struct({
  displayName: Schema.optional(DisplayName),
  roles: Schema.optional(Roles),
  regions: Schema.optional(Schema.Array(RegionCode)),
  disabled: Schema.optional(Schema.Boolean),
  password: Schema.optional(Password)
})
export type UpdateUserInput = typeof UpdateUserInput.Type

/** The caller's own account, with what it may do. */
export const Me = Schema.Struct({
  user: User,
  permissions: Schema.Array(Schema.String),
  /** True when the user sees every region (admins). */
  allRegions: Schema.Boolean
})
export type Me = typeof Me.Type

export const UserPage = Schema.Struct({
  users: Schema.Array(User),
  /** Pass as `afterUsername` for the next page; null on the last page. */
  nextAfterUsername: Schema.NullOr(Schema.String)
})
export type UserPage = typeof UserPage.Type

const now = Effect.map(Clock.currentTimeMillis, (ms) => ms as Instant)

const publicView = ({ passwordHash: _hash, tokensRevokedAt: _revoked, ...user }: StoredUser): User => user

const decodeUsername = (raw: string): Effect.Effect<Username, InvalidInput> =>
  Schema.decodeUnknownEffect(Username)(normalizeUsername(raw)).pipe(
    Effect.mapError((e) => new InvalidInput({ field: "username", message: e.message.split("\n")[0] ?? e.message }))
  )

/**
 * Creates a user. This is the bootstrap path too — `adalqarau users create --admin` and the
 * `ADALQARAU_ADMIN_USERNAME`/`ADALQARAU_ADMIN_PASSWORD` start-up check call it without a principal; over the API
 * it runs through `createUserAs`, which checks the caller first.
 */
export const createUser = Effect.fn("Users.createUser")(function* (input: CreateUserInput) {
  const username = yield* decodeUsername(input.username)
  const hash = yield* (yield* PasswordHasher).hash(input.password)
  const created = yield* (yield* UserStore)
    .create({
      username,
      displayName: input.displayName ?? username,
      roles: [...new Set(input.roles)],
      regions: [...new Set(input.regions)],
      passwordHash: hash,
      at: yield* now
    })
    .pipe(
      Effect.catchTag("UsernameTaken", (e) => Effect.fail(new Conflict({ message: `username ${e.username} is taken` })))
    )
  yield* Effect.logInfo("user created").pipe(
    Effect.annotateLogs({ userId: created.id, roles: created.roles.join(",") })
  )
  return publicView(created)
}, storeUnavailable)

export const createUserAs = Effect.fn("Users.createUserAs")(function* (principal: Principal, input: CreateUserInput) {
  yield* requirePermission(principal, "users:manage")
  return yield* createUser(input)
})

/**
 * Makes sure an admin exists: when no active admin does, creates one with these credentials (the environment
 * bootstrap). Returns the created admin, or none when one already existed.
 */
export const ensureAdmin = Effect.fn("Users.ensureAdmin")(function* (input: {
  readonly username: string
  readonly password: Redacted.Redacted<string>
}) {
  const admins = yield* (yield* UserStore).countActiveAdmins
  if (admins > 0) return Option.none<User>()
  const password = yield* Schema.decodeUnknownEffect(Password)(Redacted.value(input.password)).pipe(
    Effect.mapError((e) => new InvalidInput({ field: "password", message: e.message.split("\n")[0] ?? e.message }))
  )
  return Option.some(yield* createUser({ username: input.username, password, roles: ["admin"], regions: [] }))
}, storeUnavailable)

export const me = Effect.fn("Users.me")(function* (principal: Principal) {
  const user = yield* (yield* UserStore).findById(principal.userId)
  if (Option.isNone(user)) return yield* new NotFound({ resource: "user", id: principal.userId })
  const permissions = new Set<Permission>()
  for (const role of user.value.roles) for (const p of ROLE_PERMISSIONS[role]) permissions.add(p)
  const view: Me = {
    user: publicView(user.value),
    permissions: [...permissions],
    allRegions: user.value.roles.includes("admin")
  }
  return view
}, storeUnavailable)

export const listUsers = Effect.fn("Users.listUsers")(function* (
  principal: Principal,
  query: { readonly afterUsername?: string | undefined; readonly limit: number }
) {
  yield* requirePermission(principal, "users:manage")
  const users = yield* (yield* UserStore).list({
    ...(query.afterUsername === undefined ? {} : { afterUsername: normalizeUsername(query.afterUsername) }),
    limit: query.limit + 1
  })
  const page = users.slice(0, query.limit)
  const result: UserPage = {
    users: page,
    nextAfterUsername: users.length > query.limit ? (page[page.length - 1]?.username ?? null) : null
  }
  return result
}, storeUnavailable)

export const getUser = Effect.fn("Users.getUser")(function* (principal: Principal, id: UserId) {
  yield* requirePermission(principal, "users:manage")
  const user = yield* (yield* UserStore).findById(id)
  if (Option.isNone(user)) return yield* new NotFound({ resource: "user", id })
  return publicView(user.value)
}, storeUnavailable)

/**
 * Changes a user's name, roles, regions, password or disabled flag. Disabling a user or changing its password
 * revokes its refresh tokens and voids its access tokens (the caller's own, when admins change their own password).
 * The last active admin cannot be disabled or lose the admin role: that would lock everyone out of user
 * management. The store checks that in the same atomic step as the change, so two admins disabling each other at
 * once cannot both succeed.
 */
export const updateUser = Effect.fn("Users.updateUser")(function* (
  principal: Principal,
  id: UserId,
  input: UpdateUserInput
) {
  yield* requirePermission(principal, "users:manage")
  const users = yield* UserStore
  if (Option.isNone(yield* users.findById(id))) return yield* new NotFound({ resource: "user", id })
  // Hashed before the store's atomic step, which must not wait on scrypt while it holds the admins' rows.
  const passwordHash = input.password === undefined ? undefined : yield* (yield* PasswordHasher).hash(input.password)
  const revokes = input.disabled === true || passwordHash !== undefined
  const at = yield* now
  const updated = yield* users
    .update(id, {
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      ...(input.roles === undefined ? {} : { roles: [...new Set(input.roles)] }),
      ...(input.regions === undefined ? {} : { regions: [...new Set(input.regions)] }),
      ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
      ...(passwordHash === undefined ? {} : { passwordHash }),
      ...(revokes ? { revokeTokens: true } : {}),
      at
    })
    .pipe(
      Effect.catchTag("LastActiveAdmin", () =>
        Effect.fail(
          new Conflict({ message: "this is the last active admin: it cannot be disabled or lose the admin role" })
        )
      )
    )
  if (Option.isNone(updated)) return yield* new NotFound({ resource: "user", id })
  if (revokes) yield* (yield* SessionStore).revokeUser(id, at)
  yield* Effect.logInfo("user updated").pipe(
    Effect.annotateLogs({ userId: id, by: principal.userId, fields: Object.keys(input).join(",") })
  )
  return publicView(updated.value)
}, storeUnavailable)

export const disableUser = Effect.fn("Users.disableUser")(function* (principal: Principal, id: UserId) {
  return yield* updateUser(principal, id, { disabled: true })
})
