import { CHANGE_TOPICS, ChangeFeed, type ChangeTopic } from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, Queue, Schedule } from "effect"

/** The channel migration 0007's triggers notify, with the topic as payload. */
export const CHANGE_CHANNEL = "adalqarau_changes"

const isTopic = (payload: string): payload is ChangeTopic => (CHANGE_TOPICS as ReadonlyArray<string>).includes(payload)

/**
 * The ChangeFeed of a PostgreSQL database: `LISTEN adalqarau_changes` on a connection of its own (one of the pool's),
 * held for the life of the layer. Generations are trusted only while that connection is up: when it drops, every
 * topic goes dark (caches read through) and the feed listens again every second; once PostgreSQL confirms the new
 * `LISTEN`, every generation moves, since whatever changed in between was not heard.
 */
export const makePgChangeFeed = Effect.gen(function* () {
  const pg = yield* PgClient.PgClient
  const generations = new Map<ChangeTopic, number>(CHANGE_TOPICS.map((topic) => [topic, 0]))
  let live = false
  const bump = (topic: ChangeTopic) => generations.set(topic, (generations.get(topic) ?? 0) + 1)

  const listen = Effect.scoped(
    Effect.gen(function* () {
      const notifications = yield* pg.listen(CHANGE_CHANNEL)
      for (const topic of CHANGE_TOPICS) bump(topic)
      live = true
      yield* Effect.logInfo(`listening for store changes on ${CHANGE_CHANNEL}`)
      return yield* Effect.forever(
        Effect.map(Queue.take(notifications), (notification) => {
          if (isTopic(notification.payload)) bump(notification.payload)
          // Unknown payload (a newer schema's topic): no cached copy can be vouched for.
          else for (const topic of CHANGE_TOPICS) bump(topic)
        })
      )
    })
  ).pipe(
    Effect.ensuring(Effect.sync(() => (live = false))),
    Effect.tapError((error) =>
      Effect.logWarning("store change feed lost: caches read through until it is back").pipe(
        Effect.annotateLogs({ error: error.message })
      )
    )
  )
  yield* Effect.forkScoped(Effect.retry(listen, Schedule.spaced("1 second")))

  return ChangeFeed.of({
    generation: (topic) => Effect.sync(() => (live ? Option.some(generations.get(topic) ?? 0) : Option.none()))
  })
})

export const layerPgChangeFeed: Layer.Layer<ChangeFeed, never, PgClient.PgClient> = Layer.effect(
  ChangeFeed,
  makePgChangeFeed
)
