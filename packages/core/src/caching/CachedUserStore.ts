import { Effect, Layer, type Option } from "effect"
import { ChangeFeed } from "../ports/ChangeFeed.ts"
import { type StoredUser, type UserId, UserStore } from "../ports/UserStore.ts"
import { makeReadThroughCache } from "./ReadThroughCache.ts"

/**
 * A UserStore that answers `findById` — asked on every authenticated request — from process memory while no change
 * to the users has been announced (see ChangeFeed). Disabling a user still takes effect on the next request: through
 * this store at once, through another process as soon as the change is announced. Logins (`findByUsername`),
 * listings and writes always go to the store.
 */
export const cachedUserStore = (
  store: UserStore["Service"],
  feed: ChangeFeed["Service"],
  options: { readonly capacity?: number } = {}
): UserStore["Service"] => {
  const byId = makeReadThroughCache<UserId, Option.Option<StoredUser>>(feed, {
    name: "users_by_id",
    topic: "users",
    capacity: options.capacity ?? 10_000
  })
  return UserStore.of({
    ...store,
    create: (user) => store.create(user).pipe(Effect.ensuring(byId.invalidate)),
    update: (id, patch) => store.update(id, patch).pipe(Effect.ensuring(byId.invalidate)),
    findById: (id) => byId.read(id, store.findById(id))
  })
}

/** Wraps the UserStore below it (provide the store and a ChangeFeed to this layer). */
export const layerCachedUserStore = (
  options: { readonly capacity?: number } = {}
): Layer.Layer<UserStore, never, UserStore | ChangeFeed> =>
  Layer.effect(
    UserStore,
    Effect.gen(function* () {
      return cachedUserStore(yield* UserStore, yield* ChangeFeed, options)
    })
  )
