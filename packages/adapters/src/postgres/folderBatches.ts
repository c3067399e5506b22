import { stat } from "node:fs/promises"
import { Worker } from "node:worker_threads"
import { ProcurementSourceError, RecordRejection } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import { fsProblem } from "../files/fsProblem.ts"
import { siblingModule } from "../packageFiles.ts"
import { jsonlFolderFiles, jsonlFolderItems } from "../files/JsonlFolderSource.ts"
import { type PreparedBatch, preparedBatches } from "./batches.ts"
import type { FolderBatchesInput, FolderBatchMessage } from "./folderBatchProtocol.ts"

export interface FolderBatchOptions {
  /** Items per batch. */
  readonly batchSize: number
  /**
   * Folders with fewer bytes than this are read on the calling thread (default 16 MiB): a reader thread takes
   * about a third of a second to start.
   */
  readonly threadFrom?: number
}

const DEFAULT_THREAD_FROM = 16 << 20

const WORKER_URL = siblingModule("folderBatchWorker", import.meta.url)

/**
 * The records of a folder of OWS-shaped JSONL files as prepared batches (`preparedBatches` over
 * `jsonlFolderItems`: the same batches, rejections and errors), read, decoded and prepared on a thread of their
 * own. On the writing thread the decoding would share the event loop with the batch's statements: each of a
 * batch's round trips then waited for a slice of the next batch's decoding, so that the two alternated instead of
 * overlapping (1M contracts: 61 s of statements and 33 s of client work took 94 s).
 */
export const folderBatches = (
  dir: string,
  options: FolderBatchOptions
): Stream.Stream<PreparedBatch, ProcurementSourceError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const bytes = yield* folderBytes(dir)
      if (bytes < (options.threadFrom ?? DEFAULT_THREAD_FROM)) {
        return preparedBatches(jsonlFolderItems(dir), options.batchSize)
      }
      const input: FolderBatchesInput = { dir, batchSize: options.batchSize }
      return Stream.fromAsyncIterable(threadBatches(input), (cause) =>
        cause instanceof ProcurementSourceError
          ? cause
          : new ProcurementSourceError({
              source: dir,
              message: `reading ${dir} on a reader thread failed: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
      )
    })
  )

const folderBytes = (dir: string) =>
  Effect.flatMap(jsonlFolderFiles(dir), (files) =>
    Effect.tryPromise({
      try: async () => (await Promise.all(files.map((file) => stat(file.path)))).reduce((n, s) => n + s.size, 0),
      catch: (cause) =>
        new ProcurementSourceError({ source: dir, message: `cannot read folder ${dir}: ${fsProblem(cause)}`, cause })
    })
  )

/** A batch as posted: structured cloning left its rejections plain objects. */
const revive = (batch: PreparedBatch): PreparedBatch =>
  batch.rejections.length === 0
    ? batch
    : { ...batch, rejections: batch.rejections.map((rejection) => new RecordRejection(rejection)) }

/**
 * The reader thread's batches, one asked for ahead of the one being written. Ending the iteration early (the
 * import failed or was interrupted) terminates the thread.
 */
const threadBatches = (input: FolderBatchesInput): AsyncIterable<PreparedBatch> => ({
  [Symbol.asyncIterator]: () => {
    const worker = new Worker(WORKER_URL, { workerData: input })
    const arrived: Array<FolderBatchMessage> = []
    let failure: Error | undefined
    let finished = false
    let wake: (() => void) | undefined
    const notify = () => wake?.()
    worker.on("message", (message: FolderBatchMessage) => {
      arrived.push(message)
      notify()
    })
    worker.on("error", (error) => {
      failure ??= error
      notify()
    })
    worker.on("exit", (code) => {
      failure ??= new Error(`the reader thread stopped (exit code ${code}) before the end of the folder`)
      notify()
    })
    worker.postMessage(2)
    const finish = async (): Promise<IteratorReturnResult<undefined>> => {
      finished = true
      notify()
      await worker.terminate()
      return { done: true, value: undefined }
    }
    return {
      next: async (): Promise<IteratorResult<PreparedBatch, undefined>> => {
        for (;;) {
          if (finished) return { done: true, value: undefined }
          const message = arrived.shift()
          if (message !== undefined) {
            switch (message._tag) {
              case "Batch":
                worker.postMessage(1)
                return { done: false, value: revive(message.batch) }
              case "End":
                return finish()
              case "Failed":
                await finish()
                throw new ProcurementSourceError({ source: message.source, message: message.message })
            }
          }
          if (failure !== undefined) {
            const error = failure
            await finish()
            throw error
          }
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      },
      return: finish
    }
  }
})
