import { Effect, Schema } from "effect"
import { CommonFilters } from "./Filters.ts"
import { ParamsError } from "./Registry.ts"

const encode = Schema.encodeSync(CommonFilters)

/** Whether two runs' filters select the same contracts: compared as written by their schema, lists in order. */
const sameFilters = (a: CommonFilters, b: CommonFilters): boolean =>
  JSON.stringify(encode(a)) === JSON.stringify(encode(b))

/**
 * Refuses a run of some indicators with other filters than those in force. Filters hold for every indicator: an
 * engine that keeps the parameters in force (the SQL one, for an import's refresh) would otherwise change the other
 * indicators' filters at the next import, far from the run that asked for it. `evaluated` are the indicators some
 * run evaluated (none before the first run); the filters in force are read only when the run leaves one of them
 * out. Both engines check through this, so they refuse alike.
 */
export const keepsFiltersInForce = <E, R>(
  evaluated: Iterable<string>,
  run: { readonly codes: ReadonlyArray<string>; readonly filters: CommonFilters },
  filtersInForce: Effect.Effect<CommonFilters, E, R>
): Effect.Effect<void, ParamsError | E, R> =>
  Effect.suspend(() =>
    [...evaluated].every((code) => run.codes.includes(code))
      ? Effect.void
      : Effect.flatMap(filtersInForce, (inForce) =>
          sameFilters(inForce, run.filters)
            ? Effect.void
            : Effect.fail(
                new ParamsError({
                  path: "filters",
                  reason:
                    `filters hold for every indicator, and this run leaves some out (only): give the filters in ` +
                    `force, ${JSON.stringify(encode(inForce))}, or run every indicator to change them`
                })
              )
        )
  )
