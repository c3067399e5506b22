import { Schema } from "effect"
import { CommonFilters } from "./Filters.ts"
import { ParamsError } from "./Registry.ts"

const encode = Schema.encodeSync(CommonFilters)

/** Whether two runs' filters select the same contracts: compared as written by their schema, lists in order. */
export const sameFilters = (a: CommonFilters, b: CommonFilters): boolean =>
  JSON.stringify(encode(a)) === JSON.stringify(encode(b))

/**
 * The refusal of a run of some indicators (`only`) with other filters than those in force. Filters hold for every
 * indicator: an engine that keeps the parameters in force (the SQL one, for an import's refresh) would otherwise
 * change the other indicators' filters at the next import, far from the run that asked for it. Both engines refuse
 * it alike.
 */
export const filtersNotInForce = (inForce: CommonFilters): ParamsError =>
  new ParamsError({
    path: "filters",
    reason:
      `filters hold for every indicator, and this run leaves some out (only): give the filters in force, ` +
      `${JSON.stringify(encode(inForce))}, or run every indicator to change them`
  })
