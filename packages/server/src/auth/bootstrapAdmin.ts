import { type PasswordHasher, Users, type UserStore } from "@adalqarau/core"
import { Config, Effect, Layer, Option } from "effect"

/**
 * The environment bootstrap of the first admin: with `ADALQARAU_ADMIN_USERNAME` and `ADALQARAU_ADMIN_PASSWORD`
 * set and no active admin in the store, creates that admin at start. With an admin present it does nothing (the
 * variables are not a way to reset a password). There is no default: with neither set, nothing happens.
 */
export const bootstrapAdminFromEnv = Effect.fn("bootstrapAdminFromEnv")(function* () {
  const username = yield* Config.option(Config.String("ADALQARAU_ADMIN_USERNAME"))
  const password = yield* Config.option(Config.Redacted("ADALQARAU_ADMIN_PASSWORD"))
  if (Option.isNone(username) && Option.isNone(password)) return
  if (Option.isNone(username) || Option.isNone(password)) {
    return yield* Effect.fail(new Error("set both ADALQARAU_ADMIN_USERNAME and ADALQARAU_ADMIN_PASSWORD, or neither"))
  }
  const created = yield* Users.ensureAdmin({ username: username.value, password: password.value }).pipe(
    Effect.mapError((e) => new Error(`could not create the admin from the environment: ${e.message}`))
  )
  if (Option.isSome(created)) {
    yield* Effect.logInfo("created the admin from ADALQARAU_ADMIN_USERNAME").pipe(
      Effect.annotateLogs({ username: created.value.username })
    )
  } else {
    yield* Effect.logInfo("an admin exists; ADALQARAU_ADMIN_USERNAME/PASSWORD ignored")
  }
})

export const layerBootstrapAdminFromEnv: Layer.Layer<never, Error | Config.ConfigError, UserStore | PasswordHasher> =
  Layer.effectDiscard(bootstrapAdminFromEnv())
