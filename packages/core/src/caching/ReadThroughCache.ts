import { Effect, Metric, Option } from "effect"
import type { ChangeFeed, ChangeTopic } from "../ports/ChangeFeed.ts"
import { LruMap } from "./LruMap.ts"

const reads = Metric.counter("cache_reads_total", {
  description:
    "Reads through a process-local cache, by cache and outcome (hit, miss; bypass while the change feed is deaf)"
})

interface Entry<V> {
  readonly generation: number
  readonly epoch: number
  readonly value: V
}

export interface ReadThroughCache<K, V> {
  /** `load`'s value for `key`: a copy while it is current, else loaded (and kept when the feed is listening). */
  readonly read: <E, R>(key: K, load: Effect.Effect<V, E, R>) => Effect.Effect<V, E, R>
  /** Forgets every copy, including loads still in flight: for writes made through this process. */
  readonly invalidate: Effect.Effect<void>
}

/**
 * Copies of reads, each valid while the topic's generation (moved by every change any process commits) and this
 * process's own write epoch are what they were before it was read. A read racing a change is tagged with the older
 * generation, so it is never served once the change is heard; what can be served stale is bounded by how long an
 * announcement takes to arrive (milliseconds over PostgreSQL's NOTIFY). Failures are not kept.
 */
export const makeReadThroughCache = <K, V>(
  feed: ChangeFeed["Service"],
  options: { readonly name: string; readonly topic: ChangeTopic; readonly capacity: number }
): ReadThroughCache<K, V> => {
  const entries = new LruMap<K, Entry<V>>(options.capacity)
  let epoch = 0
  const hit = Metric.update(Metric.withAttributes(reads, { cache: options.name, outcome: "hit" }), 1)
  const miss = Metric.update(Metric.withAttributes(reads, { cache: options.name, outcome: "miss" }), 1)
  const bypass = Metric.update(Metric.withAttributes(reads, { cache: options.name, outcome: "bypass" }), 1)
  return {
    read: <E, R>(key: K, load: Effect.Effect<V, E, R>) =>
      Effect.flatMap(feed.generation(options.topic), (generation): Effect.Effect<V, E, R> => {
        if (Option.isNone(generation)) return Effect.andThen(bypass, load)
        const known = entries.get(key)
        if (known !== undefined && known.generation === generation.value && known.epoch === epoch) {
          return Effect.as(hit, known.value)
        }
        const at = epoch
        return Effect.andThen(
          miss,
          Effect.tap(load, (value) =>
            Effect.sync(() => {
              if (at === epoch) entries.set(key, { generation: generation.value, epoch: at, value })
            })
          )
        )
      }),
    invalidate: Effect.sync(() => {
      epoch++
      entries.clear()
    })
  }
}
