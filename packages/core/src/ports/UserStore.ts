import { Context, type Effect, type Option, Schema } from "effect"
import { Instant } from "../domain/Ids.ts"
import { REGION_CODES, RegionCode } from "../domain/Region.ts"
import { unstorableInText } from "../domain/storableText.ts"

export class UserStoreError extends Schema.TaggedError<UserStoreError>()("UserStoreError", {
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** `create` found the username taken (usernames are unique after normalisation). */
export class UsernameTaken extends Schema.TaggedError<UsernameTaken>()("UsernameTaken", {
  username: Schema.String
}) {}

/**
 * What a user may do: viewers read findings, contracts and the catalogue; analysts also start indicator runs and
 * export findings; admins also manage users and see every region (see `app/Policy.ts`).
 */
export const Role = Schema.Literals(["admin", "analyst", "viewer"]).annotate({
  description: "admin: everything, all regions; analyst: reads, exports and indicator runs; viewer: reads"
})
export type Role = typeof Role.Type
export const ROLES: ReadonlyArray<Role> = ["admin", "analyst", "viewer"]

export const UserId = Schema.String.check(Schema.isMinLength(1)).pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

/**
 * A login name: 3–64 characters of lower-case Latin letters, digits, `.`, `_`, `-`, starting with a letter or digit.
 * Stores compare usernames as given, so callers normalise (trim, lower-case) before storing or looking up.
 */
export const Username = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9._-]{2,63}$/u, {
    message:
      "username must be 3-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
  })
).pipe(Schema.brand("Username"))
export type Username = typeof Username.Type

/** A user as the API shows it (never with the password hash). */
export const User = Schema.Struct({
  id: UserId,
  username: Username,
  displayName: Schema.String,
  roles: Schema.Array(Role),
  /** Regions whose contracts and findings the user may see; ignored for admins, who see all. */
  regions: Schema.Array(RegionCode),
  disabled: Schema.Boolean,
  createdAt: Instant,
  updatedAt: Instant
})
export type User = typeof User.Type

/**
 * `update` refused to leave no active admin: the user is the last one not disabled with the admin role, and the
 * patch would disable it or take the role away. Nothing was changed.
 */
export class LastActiveAdmin extends Schema.TaggedError<LastActiveAdmin>()("LastActiveAdmin", {
  userId: Schema.String
}) {}

/**
 * A stored user: the public fields plus the password hash (an opaque, self-describing string such as a PHC string)
 * and when its access tokens were last revoked.
 */
export interface StoredUser extends User {
  readonly passwordHash: string
  /**
   * Set when a patch revokes the user's tokens (a password change, disabling); null while that never happened.
   * An access token carries the value it was issued under and is refused once the value differs, so the exact
   * instant matters less than that every revocation changes it: the stores keep it strictly increasing.
   */
  readonly tokensRevokedAt: Instant | null
}

export interface NewUser {
  readonly username: Username
  readonly displayName: string
  readonly roles: ReadonlyArray<Role>
  readonly regions: ReadonlyArray<RegionCode>
  readonly passwordHash: string
  readonly at: Instant
}

/** The fields `update` may change; absent fields stay as they are. */
export interface UserPatch {
  readonly displayName?: string
  readonly roles?: ReadonlyArray<Role>
  readonly regions?: ReadonlyArray<RegionCode>
  readonly disabled?: boolean
  readonly passwordHash?: string
  /** Sets `tokensRevokedAt` to `at`, or 1 ms past its previous value when that is not earlier than `at`. */
  readonly revokeTokens?: boolean
  readonly at: Instant
}

/** Whether a user counts towards the admins that must not all go: holds the admin role and is not disabled. */
export const isActiveAdmin = (user: Pick<User, "roles" | "disabled">): boolean =>
  !user.disabled && user.roles.includes("admin")

/** Whether applying the patch could turn an active admin into something else (disable it, or drop the role). */
export const mayRemoveAnAdmin = (patch: UserPatch): boolean =>
  patch.disabled === true || (patch.roles !== undefined && !patch.roles.includes("admin"))

const storableTextProblem = (name: string, text: string | undefined): string | undefined => {
  const problem = text === undefined ? undefined : unstorableInText(text)
  return problem === undefined ? undefined : `${name} must not contain ${problem}`
}

/**
 * Why a store cannot keep these fields, or undefined: the rules of the SQL store's table (`app_user`'s CHECKs,
 * text PostgreSQL can hold), checked the same way by every store, so that a test on the in-memory one meets the
 * refusal production meets, with the same message. Callers normally decode `Username`, `Role` and `RegionCode`
 * first; a store must still not take what bypassed that.
 */
export const userWriteProblem = (fields: {
  readonly username?: string
  readonly displayName?: string | undefined
  readonly roles?: ReadonlyArray<string> | undefined
  readonly regions?: ReadonlyArray<string> | undefined
  readonly passwordHash?: string | undefined
}): string | undefined => {
  if (fields.username !== undefined && !Schema.is(Username)(fields.username)) {
    return `username ${JSON.stringify(fields.username)}: 3-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`
  }
  const badRole = fields.roles?.find((role) => !(ROLES as ReadonlyArray<string>).includes(role))
  if (badRole !== undefined) return `role ${JSON.stringify(badRole)} is not one of ${ROLES.join(", ")}`
  const badRegion = fields.regions?.find((region) => !(REGION_CODES as ReadonlyArray<string>).includes(region))
  if (badRegion !== undefined) return `region ${JSON.stringify(badRegion)} is not a region code`
  return (
    storableTextProblem("display name", fields.displayName) ?? storableTextProblem("password hash", fields.passwordHash)
  )
}

export interface UserListQuery {
  /** Keyset paging: users whose username sorts after this one. */
  readonly afterUsername?: string
  readonly limit: number
}

/** Accounts of the people who use the server. The store assigns ids; usernames are unique. */
export class UserStore extends Context.Service<
  UserStore,
  {
    readonly create: (user: NewUser) => Effect.Effect<StoredUser, UserStoreError | UsernameTaken>
    readonly findById: (id: UserId) => Effect.Effect<Option.Option<StoredUser>, UserStoreError>
    readonly findByUsername: (username: Username) => Effect.Effect<Option.Option<StoredUser>, UserStoreError>
    /** Users in username order. */
    readonly list: (query: UserListQuery) => Effect.Effect<ReadonlyArray<User>, UserStoreError>
    /**
     * Applies the patch and returns the updated user; none when the id is unknown. Fails with `LastActiveAdmin`,
     * changing nothing, when the patch would leave no active admin where there was one. The check and the change are
     * one atomic step: of two concurrent updates that each remove one of the last two admins, one fails.
     */
    readonly update: (
      id: UserId,
      patch: UserPatch
    ) => Effect.Effect<Option.Option<StoredUser>, UserStoreError | LastActiveAdmin>
    /** How many users hold the admin role and are not disabled. */
    readonly countActiveAdmins: Effect.Effect<number, UserStoreError>
  }
>()("@adalqarau/core/UserStore") {}
