import { Effect, Schema } from "effect"
import { ContractStoreError } from "../ports/ContractStore.ts"
import { FindingStoreError } from "../ports/FindingStore.ts"
import { RunStoreError } from "../ports/RunStore.ts"
import { SessionStoreError } from "../ports/SessionStore.ts"
import { UserStoreError } from "../ports/UserStore.ts"

/**
 * The errors of the use cases, the same whichever transport serves them. Their meaning maps onto HTTP statuses
 * (401, 403, 404, 400, 409, 429, 503) in the server; here they stay transport-free.
 */

/** No credentials, or credentials that do not check out (wrong password, bad or expired token). */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String
}) {}

/** Authenticated, but the caller's roles do not grant the permission. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  message: Schema.String,
  permission: Schema.String
}) {}

/** Nothing with this id exists within the caller's regions (out-of-region rows are indistinguishable from absent). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  resource: Schema.String,
  id: Schema.String
}) {}

/** Input that passed the schema but not the use case's own rules; `field` is its path in the request. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  field: Schema.String,
  message: Schema.String
}) {}

/** The request contradicts current state (a taken username, removing the last admin). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  message: Schema.String
}) {}

/** Too many failed logins for this username or client address; try again after `retryAfterSeconds`. */
export class TooManyAttempts extends Schema.TaggedError<TooManyAttempts>()("TooManyAttempts", {
  message: Schema.String,
  retryAfterSeconds: Schema.Int
}) {}

/** A store did not answer. The cause is logged on the server; the caller only learns to retry later. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  message: Schema.String
}) {}

export type StoreError = ContractStoreError | FindingStoreError | UserStoreError | SessionStoreError | RunStoreError

const isStoreError = (e: unknown): e is StoreError =>
  e instanceof ContractStoreError ||
  e instanceof FindingStoreError ||
  e instanceof UserStoreError ||
  e instanceof SessionStoreError ||
  e instanceof RunStoreError

/**
 * Turns store failures into `Unavailable` after logging them with their cause: callers must not see driver
 * messages (they can name tables, hosts or data), operators must.
 */
export const storeUnavailable = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, Exclude<E, StoreError> | Unavailable, R> =>
  Effect.catchIf(self, isStoreError, (error) =>
    Effect.logError("store failure", error).pipe(
      Effect.andThen(Effect.fail(new Unavailable({ message: "a data store did not answer; try again later" })))
    )
  ) as Effect.Effect<A, Exclude<E, StoreError> | Unavailable, R>
