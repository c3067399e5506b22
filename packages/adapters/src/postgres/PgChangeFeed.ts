import {
  CHANGE_TOPICS,
  ChangeFeed,
  type ChangeTopic,
  type MemoryChangeFeed,
  makeMemoryChangeFeed
} from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Queue, Schedule } from "effect"

/** The channel migration 0007's triggers notify, with the topic as payload. */
export const CHANGE_CHANNEL = "adalqarau_changes"

const isTopic = (payload: string): payload is ChangeTopic => (CHANGE_TOPICS as ReadonlyArray<string>).includes(payload)

/**
 * The ChangeFeed of a PostgreSQL database: `LISTEN adalqarau_changes` on a connection of its own (one of the pool's),
 * from the first question until the layer is released (until then, and until PostgreSQL confirms, caches read
 * through). Generations are trusted only while that connection is up: when it drops, every
 * topic goes dark (caches read through) and the feed listens again every second; once PostgreSQL confirms the new
 * `LISTEN`, every generation moves, since whatever changed in between was not heard.
 */
export const makePgChangeFeed = Effect.gen(function* () {
  const pg = yield* PgClient.PgClient
  const heard = makeMemoryChangeFeed({ listening: false })

  const listen = Effect.scoped(
    Effect.gen(function* () {
      const notifications = yield* pg.listen(CHANGE_CHANNEL)
      heard.listening(true)
      yield* Effect.logInfo(`listening for store changes on ${CHANGE_CHANNEL}`)
      return yield* Effect.forever(
        Effect.map(Queue.take(notifications), (notification) => announcePayload(heard, notification.payload))
      )
    })
  ).pipe(
    Effect.ensuring(Effect.sync(() => heard.listening(false))),
    Effect.tapError((error) =>
      Effect.logWarning("store change feed lost: caches read through until it is back").pipe(
        Effect.annotateLogs({ error: error.message })
      )
    )
  )
  // Started by the first question, so commands that never cache (import, migrate) hold no listening connection.
  const scope = yield* Effect.scope
  let started = false
  const start = Effect.suspend(() => {
    if (started) return Effect.void
    started = true
    return Effect.asVoid(Effect.forkIn(Effect.retry(listen, Schedule.spaced("1 second")), scope))
  })
  return ChangeFeed.of({ generation: (topic) => Effect.andThen(start, heard.feed.generation(topic)) })
})

/** Moves the payload's topic; an unknown payload (a newer schema's topic) moves them all: no copy can be vouched for. */
export const announcePayload = (heard: MemoryChangeFeed, payload: string): void => {
  if (isTopic(payload)) heard.announce(payload)
  else for (const topic of CHANGE_TOPICS) heard.announce(topic)
}

export const layerPgChangeFeed: Layer.Layer<ChangeFeed, never, PgClient.PgClient> = Layer.effect(
  ChangeFeed,
  makePgChangeFeed
)
