import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

/** Plan methods a statement over whole tables may do without. */
export type PlanMethod = "hashjoin" | "hashagg" | "sort"

/**
 * Runs `effect` with the given plan methods off (`SET LOCAL`, then `RESET` to the session's setting), inside the
 * caller's transaction. For one-off statements over whole tables where the planner's estimates mislead it: inputs
 * that come in key order (at 15M contracts every hash table of roots, payments, plan sums, pairs or chain keys
 * spilled to disk, where sorts and merge joins did not), or groups it cannot count (it sorts every row to find a
 * handful of groups).
 */
export const withPlanMethodsOff =
  (methods: ReadonlyArray<PlanMethod>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      for (const method of methods) yield* sql.unsafe(`SET LOCAL enable_${method} = off`)
      const result = yield* effect
      for (const method of methods) yield* sql.unsafe(`RESET enable_${method}`)
      return result
    })
