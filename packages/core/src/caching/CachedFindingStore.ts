import { Effect, Layer } from "effect"
import { ChangeFeed } from "../ports/ChangeFeed.ts"
import { type FindingCount, type FindingPage, FindingStore } from "../ports/FindingStore.ts"
import { makeReadThroughCache } from "./ReadThroughCache.ts"

export interface FindingCacheOptions {
  /** Pages and count tables kept (each kind), least recently used dropped first. Default 256. */
  readonly capacity?: number
  /** Larger pages (exports read 1000 at a time) are read through, so a few exports cannot fill memory. Default 200. */
  readonly maxCachedPage?: number
}

/** A stable text for a store input, or undefined for one that cannot be keyed (the store then judges it alone). */
const keyOf = (input: unknown): string | undefined => {
  try {
    return JSON.stringify(input)
  } catch {
    return undefined
  }
}

/**
 * A FindingStore whose pages and counts are served from process memory while no change to the findings has been
 * announced (see ChangeFeed): an analysts' list view asks for the same first pages again and again between runs.
 * Writes through this store forget every copy at once; writes elsewhere (the worker's runs) when announced.
 */
export const cachedFindingStore = (
  store: FindingStore["Service"],
  feed: ChangeFeed["Service"],
  options: FindingCacheOptions = {}
): FindingStore["Service"] => {
  const capacity = options.capacity ?? 256
  const maxCachedPage = options.maxCachedPage ?? 200
  const pages = makeReadThroughCache<string, FindingPage>(feed, { name: "finding_pages", topic: "findings", capacity })
  const counts = makeReadThroughCache<string, ReadonlyArray<FindingCount>>(feed, {
    name: "finding_counts",
    topic: "findings",
    capacity
  })
  return FindingStore.of({
    replace: (indicators, findings) =>
      store.replace(indicators, findings).pipe(Effect.ensuring(Effect.andThen(pages.invalidate, counts.invalidate))),
    query: (query) => {
      const key = typeof query.limit === "number" && query.limit <= maxCachedPage ? keyOf(query) : undefined
      return key === undefined ? store.query(query) : pages.read(key, store.query(query))
    },
    counts: (filter) => {
      const key = keyOf(filter)
      return key === undefined ? store.counts(filter) : counts.read(key, store.counts(filter))
    }
  })
}

/** Wraps the FindingStore below it (provide the store and a ChangeFeed to this layer). */
export const layerCachedFindingStore = (
  options: FindingCacheOptions = {}
): Layer.Layer<FindingStore, never, FindingStore | ChangeFeed> =>
  Layer.effect(
    FindingStore,
    Effect.gen(function* () {
      return cachedFindingStore(yield* FindingStore, yield* ChangeFeed, options)
    })
  )
