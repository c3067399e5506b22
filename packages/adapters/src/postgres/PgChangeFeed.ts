import { randomUUID } from "node:crypto"
import {
  CHANGE_TOPICS,
  ChangeFeed,
  type ChangeTopic,
  type MemoryChangeFeed,
  makeMemoryChangeFeed
} from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { Data, Duration, Effect, Layer, Queue, References, Schedule, Scope } from "effect"

/** The channel migration 0007's triggers notify, with the topic as payload. */
export const CHANGE_CHANNEL = "adalqarau_changes"

/** Payloads of the feed's own heartbeats: `heartbeat:<feed>:<n>`, ignored by every other feed on the channel. */
const HEARTBEAT = "heartbeat:"

const isTopic = (payload: string): payload is ChangeTopic => (CHANGE_TOPICS as ReadonlyArray<string>).includes(payload)

export interface PgChangeFeedOptions {
  /**
   * How often the feed notifies itself on the channel (default 5 s), and how long it waits to hear that
   * notification (default 5 s) before taking the listening connection for dead.
   */
  readonly heartbeat?: { readonly every: Duration.Input; readonly within: Duration.Input }
}

class HeartbeatLost extends Data.TaggedError("HeartbeatLost")<{ readonly message: string }> {}

/**
 * The ChangeFeed of a PostgreSQL database: `LISTEN adalqarau_changes` on a connection of its own (one of the pool's),
 * from the first question until the layer is released (until then, and until PostgreSQL confirms, caches read
 * through). Generations are trusted only while that connection is known to be up: when it drops, every topic goes
 * dark (caches read through) and the feed listens again every second; once PostgreSQL confirms the new `LISTEN`,
 * every generation moves, since whatever changed in between was not heard.
 *
 * A connection can also die without a word: a firewall that forgets it, a network partition. Nothing is sent on a
 * listening connection, so nothing would fail, and the caches would serve what they hold for as long as that lasts.
 * The feed therefore notifies itself through the pool every `heartbeat.every` and takes the connection for dead when
 * a heartbeat is not heard within `heartbeat.within`: a silent failure leaves copies stale for at most the sum.
 */
export const makePgChangeFeed = (options: PgChangeFeedOptions = {}) =>
  Effect.gen(function* () {
    const pg = yield* PgClient.PgClient
    const heard = makeMemoryChangeFeed({ listening: false })
    const every = Duration.fromInputUnsafe(options.heartbeat?.every ?? "5 seconds")
    const within = Duration.fromInputUnsafe(options.heartbeat?.within ?? "5 seconds")
    const feedId = randomUUID()
    let sent = 0
    let echoed = 0

    const onPayload = (payload: string): void => {
      if (!payload.startsWith(HEARTBEAT)) {
        announcePayload(heard, payload)
        return
      }
      const [feed, n] = payload.slice(HEARTBEAT.length).split(":")
      if (feed === feedId) echoed = Math.max(echoed, Number(n))
    }

    const heartbeats = Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(every)
        const n = ++sent
        // Only a heartbeat sent and then not heard condemns the listening connection. One that could not be sent
        // in time (the pool busy under load, or its connection dead too) says nothing about it: the next one tries
        // again; failing here would send a loaded server's reads to the database on top of its load.
        const notified = yield* pg
          .notify(CHANGE_CHANNEL, `${HEARTBEAT}${feedId}:${n}`)
          .pipe(Effect.as(true), Effect.timeoutOrElse({ duration: within, orElse: () => Effect.succeed(false) }))
        if (!notified) return
        yield* Effect.sleep(within)
        if (echoed < n) {
          return yield* new HeartbeatLost({
            message: `heartbeat ${n} not heard within ${Duration.format(within)}: the listening connection is taken for dead`
          })
        }
      })
    )

    const listening = Effect.gen(function* () {
      const notifications = yield* pg.listen(CHANGE_CHANNEL)
      heard.listening(true)
      yield* Effect.logInfo(`listening for store changes on ${CHANGE_CHANNEL}`)
      const take = Effect.forever(Effect.map(Queue.take(notifications), (n) => onPayload(n.payload)))
      return yield* Effect.raceFirst(take, heartbeats)
    })

    // The connection is released in the background: releasing it sends UNLISTEN, which a dead connection would
    // never answer, and the feed must listen again meanwhile. (The pool's TCP keepalive ends such a connection.)
    const listen = Effect.acquireUseRelease(
      Scope.make(),
      (scope) => Scope.provide(scope)(listening),
      (scope, exit) => Effect.asVoid(Effect.forkDetach(Scope.close(scope, exit)))
    ).pipe(
      Effect.ensuring(Effect.sync(() => heard.listening(false))),
      Effect.tapError((error) =>
        Effect.logWarning("store change feed lost: caches read through until it is back").pipe(
          Effect.annotateLogs({ error: error.message })
        )
      )
    )
    // Started by the first question, so commands that never cache (import, migrate) hold no listening connection;
    // without that question's log annotations (its request id), which are not the feed's.
    const scope = yield* Effect.scope
    let started = false
    const start = Effect.suspend(() => {
      if (started) return Effect.void
      started = true
      return Effect.asVoid(
        Effect.forkIn(
          Effect.retry(listen, Schedule.spaced("1 second")).pipe(
            Effect.provideService(References.CurrentLogAnnotations, {})
          ),
          scope
        )
      )
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
  makePgChangeFeed()
)
