import { Effect, Layer, Option } from "effect"
import type { Instant } from "../domain/Ids.ts"
import {
  isActiveAdmin,
  LastActiveAdmin,
  type StoredUser,
  type User,
  type UserId,
  UserStore,
  UserStoreError,
  UsernameTaken,
  userWriteProblem
} from "../ports/UserStore.ts"

const publicView = ({ passwordHash: _hash, tokensRevokedAt: _revoked, ...user }: StoredUser): User => user

/** A UserStore in process memory: ids `u1`, `u2`, … in creation order. */
export const makeMemoryUserStore = Effect.sync(() => {
  const byId = new Map<string, StoredUser>()
  const idByUsername = new Map<string, UserId>()
  let next = 1
  const countActiveAdmins = (): number => {
    let count = 0
    for (const u of byId.values()) if (isActiveAdmin(u)) count++
    return count
  }

  return UserStore.of({
    create: (input) =>
      Effect.suspend((): Effect.Effect<StoredUser, UserStoreError | UsernameTaken> => {
        const problem = userWriteProblem(input)
        if (problem !== undefined) return Effect.fail(new UserStoreError({ operation: "create", message: problem }))
        if (idByUsername.has(input.username)) return Effect.fail(new UsernameTaken({ username: input.username }))
        const id = `u${next++}` as UserId
        const user: StoredUser = {
          id,
          username: input.username,
          displayName: input.displayName,
          roles: [...input.roles],
          regions: [...input.regions],
          disabled: false,
          passwordHash: input.passwordHash,
          tokensRevokedAt: null,
          createdAt: input.at,
          updatedAt: input.at
        }
        byId.set(id, user)
        idByUsername.set(input.username, id)
        return Effect.succeed(user)
      }),
    findById: (id) => Effect.sync(() => Option.fromNullishOr(byId.get(id))),
    findByUsername: (username) =>
      Effect.sync(() => {
        const id = idByUsername.get(username)
        return Option.fromNullishOr(id === undefined ? undefined : byId.get(id))
      }),
    list: (query) =>
      Effect.sync(() =>
        [...byId.values()]
          .filter((u) => query.afterUsername === undefined || u.username > query.afterUsername)
          .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
          // A negative limit lists nothing, as the SQL store's does (slice would drop from the end).
          .slice(0, Math.max(0, query.limit))
          .map(publicView)
      ),
    // One synchronous step, so no other fiber's update can come between the admin check and the write.
    update: (id, patch) =>
      Effect.suspend((): Effect.Effect<Option.Option<StoredUser>, UserStoreError | LastActiveAdmin> => {
        const problem = userWriteProblem(patch)
        if (problem !== undefined) return Effect.fail(new UserStoreError({ operation: "update", message: problem }))
        const stored = byId.get(id)
        if (stored === undefined) return Effect.succeed(Option.none())
        const updated: StoredUser = {
          ...stored,
          ...(patch.displayName === undefined ? {} : { displayName: patch.displayName }),
          ...(patch.roles === undefined ? {} : { roles: [...patch.roles] }),
          ...(patch.regions === undefined ? {} : { regions: [...patch.regions] }),
          ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
          ...(patch.passwordHash === undefined ? {} : { passwordHash: patch.passwordHash }),
          ...(patch.revokeTokens === true
            ? {
                tokensRevokedAt: (stored.tokensRevokedAt === null
                  ? patch.at
                  : Math.max(patch.at, stored.tokensRevokedAt + 1)) as Instant
              }
            : {}),
          updatedAt: patch.at
        }
        if (isActiveAdmin(stored) && !isActiveAdmin(updated) && countActiveAdmins() === 1)
          return Effect.fail(new LastActiveAdmin({ userId: id }))
        byId.set(id, updated)
        return Effect.succeed(Option.some(updated))
      }),
    countActiveAdmins: Effect.sync(countActiveAdmins)
  })
})

export const layerMemoryUserStore: Layer.Layer<UserStore> = Layer.effect(UserStore, makeMemoryUserStore)
