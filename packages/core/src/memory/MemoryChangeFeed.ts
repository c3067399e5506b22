import { Effect, Option } from "effect"
import { CHANGE_TOPICS, ChangeFeed, type ChangeTopic } from "../ports/ChangeFeed.ts"

/**
 * A ChangeFeed driven by hand: `announce` a change, `listening(false)` to simulate a lost connection. For tests of
 * caches, and for embedding where the process that changes the stores can say so itself.
 */
export interface MemoryChangeFeed {
  readonly feed: ChangeFeed["Service"]
  readonly announce: (topic: ChangeTopic) => void
  /** Going deaf hides every generation; hearing again moves them all (changes may have been missed meanwhile). */
  readonly listening: (on: boolean) => void
}

export const makeMemoryChangeFeed = (options: { readonly listening?: boolean } = {}): MemoryChangeFeed => {
  const generations = new Map<ChangeTopic, number>(CHANGE_TOPICS.map((topic) => [topic, 0]))
  let live = options.listening ?? true
  const bump = (topic: ChangeTopic) => generations.set(topic, (generations.get(topic) ?? 0) + 1)
  return {
    feed: ChangeFeed.of({
      generation: (topic) => Effect.sync(() => (live ? Option.some(generations.get(topic) ?? 0) : Option.none()))
    }),
    announce: bump,
    listening: (on) => {
      if (on && !live) for (const topic of CHANGE_TOPICS) bump(topic)
      live = on
    }
  }
}
