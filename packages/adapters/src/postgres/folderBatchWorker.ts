/**
 * The reader thread of `folderBatches`: reads a JSONL folder, decodes its lines and prepares batches of them for
 * the importer, one batch ahead of what the writing thread asked for. It posts each batch, then `End`, or
 * `Failed` with the source's error — never the partial batch read before a failure (`preparedBatches`).
 */
import { parentPort, workerData } from "node:worker_threads"
import { Cause, Effect, Option, Stream } from "effect"
import { jsonlFolderItems } from "../files/JsonlFolderSource.ts"
import { preparedBatches } from "./batches.ts"
import type { FolderBatchesInput, FolderBatchMessage } from "./folderBatchProtocol.ts"

const port = parentPort
if (port === null) throw new Error("the folder batch reader must run in a worker thread")

const { dir, batchSize } = workerData as FolderBatchesInput
const post = (message: FolderBatchMessage): void => port.postMessage(message)

// Batches the writing thread has asked for and not yet received.
let credit = 0
let wake: (() => void) | undefined
port.on("message", (more: number) => {
  credit += more
  wake?.()
})
const granted = Effect.callback<void>((resume) => {
  if (credit > 0) return resume(Effect.void)
  wake = () => {
    wake = undefined
    resume(Effect.void)
  }
})

const program = Stream.runForEach(preparedBatches(jsonlFolderItems(dir), batchSize), (batch) =>
  Effect.andThen(
    granted,
    Effect.sync(() => {
      credit--
      post({ _tag: "Batch", batch })
    })
  )
)

Effect.runFork(
  program.pipe(
    Effect.matchCause({
      onSuccess: () => post({ _tag: "End" }),
      onFailure: (cause) => {
        const error = Cause.findErrorOption(cause)
        post(
          Option.isSome(error)
            ? { _tag: "Failed", source: error.value.source, message: error.value.message }
            : { _tag: "Failed", source: dir, message: `reading ${dir} stopped: ${Cause.pretty(cause)}` }
        )
      }
    })
  )
)
