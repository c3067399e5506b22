import { type RejectCursor, RejectStore } from "@adalqarau/adapters/postgres"
import type { RecordRejection } from "@adalqarau/core"
import { Context, Effect } from "effect"
import { type CliFailure, runFailure } from "./CliFailure.ts"

/**
 * Rejections read per statement: a bad import can keep millions, and they are handed on as they are read. A test
 * makes it small to read an import over several pages.
 */
export const RejectionsPerPage = Context.Reference<number>("@adalqarau/server/cli/RejectionsPerPage", {
  defaultValue: () => 5_000
})

/**
 * Hands an import's stored rejections, in reading order, to `onRejected`: `limit` at most, so that printing the
 * first few never reads them all. Returns how many were handed on. The pages are separate statements: read them
 * in `RejectStore.snapshot`, or a pruning that commits in between leaves them partial.
 */
export const eachStoredRejection = Effect.fn("cli.eachStoredRejection")(function* (
  importId: number,
  limit: number,
  onRejected: (rejection: RecordRejection) => Effect.Effect<void>
): Effect.fn.Return<number, CliFailure, RejectStore> {
  const store = yield* RejectStore
  const perPage = yield* RejectionsPerPage
  let handed = 0
  let after: RejectCursor | undefined
  while (handed < limit) {
    const page = yield* store
      .page(importId, { limit: Math.min(perPage, limit - handed), ...(after === undefined ? {} : { after }) })
      .pipe(Effect.mapError((e) => runFailure(e.message)))
    for (const rejection of page.rejections) yield* onRejected(rejection)
    handed += page.rejections.length
    if (page.next === null) break
    after = page.next
  }
  return handed
})
