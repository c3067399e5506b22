import { Context, Effect, Layer, Option } from "effect"

/**
 * What a cache in one process may hold copies of, announced when another process (or this one) changes it. For
 * `sessions`, only revocations are announced: logins and refreshes change sessions far too often.
 */
export type ChangeTopic = "findings" | "users" | "sessions"
export const CHANGE_TOPICS: ReadonlyArray<ChangeTopic> = ["findings", "users", "sessions"]

/**
 * Announcements of committed changes to the shared stores, for process-local caches. A topic's generation moves
 * on every change announced for it, and also whenever announcements may have been missed (the feed reconnected),
 * so a copy is current exactly as long as the generation it was read under is. While the feed cannot vouch for
 * hearing every change — not yet listening, or disconnected — `generation` is none and caches must not serve.
 */
export class ChangeFeed extends Context.Service<
  ChangeFeed,
  {
    readonly generation: (topic: ChangeTopic) => Effect.Effect<Option.Option<number>>
  }
>()("@adalqarau/core/ChangeFeed") {
  /** A feed that never hears anything, for stores whose changes cannot be heard: caches over it always read through. */
  static readonly layerDeaf: Layer.Layer<ChangeFeed> = Layer.succeed(ChangeFeed, {
    generation: () => Effect.succeed(Option.none())
  })
}
