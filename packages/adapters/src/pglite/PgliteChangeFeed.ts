import { ChangeFeed, makeMemoryChangeFeed } from "@adalqarau/core"
import { Effect, Layer } from "effect"
import { announcePayload, CHANGE_CHANNEL } from "../postgres/PgChangeFeed.ts"
import { PgliteDatabase } from "./PgliteClient.ts"

/**
 * The ChangeFeed of an embedded PGlite database: the same triggers' notifications, heard in process. Nothing can
 * disconnect, so once `LISTEN` is in place the feed stays trustworthy for the life of the layer. Should `LISTEN`
 * fail, the feed stays deaf (caches read through) and says so.
 */
export const makePgliteChangeFeed = Effect.gen(function* () {
  const db = yield* PgliteDatabase
  const heard = makeMemoryChangeFeed({ listening: false })
  yield* Effect.acquireRelease(
    Effect.tryPromise(() => db.listen(CHANGE_CHANNEL, (payload) => announcePayload(heard, payload))),
    (unlisten) => Effect.ignore(Effect.tryPromise(() => unlisten()))
  ).pipe(
    Effect.tap(() => Effect.sync(() => heard.listening(true))),
    Effect.catch((error) =>
      Effect.logWarning("cannot listen for store changes: caches read through").pipe(
        Effect.annotateLogs({ error: error.message })
      )
    )
  )
  return heard.feed
})

export const layerPgliteChangeFeed: Layer.Layer<ChangeFeed, never, PgliteDatabase> = Layer.effect(
  ChangeFeed,
  makePgliteChangeFeed
)
