import { Worker } from "node:worker_threads"
import { siblingModule } from "../../packageFiles.ts"
import { RangeReadError, type ReaderThreadData, type WorkerReply, type WorkerRequest } from "./protocol.ts"
import type { RangeResult, RangeTask } from "./readRange.ts"
import { RangeReader } from "./readRange.ts"

/** Runs range tasks and hands their results back in task order. */
export interface RangeRunner {
  /** The results in the order of `tasks`, each as soon as it and every earlier one are done. */
  readonly results: (tasks: ReadonlyArray<RangeTask>) => AsyncGenerator<RangeResult, void>
  /** Hands a result's row buffer back once applied, to be written over by a later range. */
  readonly recycle: (buffer: ArrayBuffer) => void
  readonly close: () => Promise<void>
}

/** Reads every range on the calling thread (small inputs: no thread start-up to pay). */
export const inProcessRunner = (useNative = true): RangeRunner => {
  const reader = new RangeReader(undefined, useNative)
  let spare: ArrayBuffer | undefined
  return {
    recycle: (buffer) => {
      spare = buffer
    },
    results: async function* (tasks) {
      for (const task of tasks) {
        let result: RangeResult
        try {
          result = reader.read(task, spare)
          spare = undefined
        } catch (cause) {
          const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
          throw new RangeReadError(task.path, cause instanceof Error ? cause.message : String(cause), code)
        }
        yield result
      }
    },
    close: async () => reader.close()
  }
}

const WORKER_URL = siblingModule("worker", import.meta.url)

/**
 * Reads ranges on `threads` worker threads, at most two ranges in flight per thread so a thread never waits for
 * the next one; results are buffered until every earlier range is in, so the caller sees file order.
 */
export const workerRunner = (threads: number, useNative = true): RangeRunner => {
  const workerData: ReaderThreadData = { useNative }
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_URL, { workerData }))
  const spares: Array<ArrayBuffer> = []
  return {
    recycle: (buffer) => {
      spares.push(buffer)
    },
    results: async function* (tasks) {
      const done = new Map<number, RangeResult>()
      const pathOf = new Map(tasks.map((task) => [task.id, task.path]))
      let failure: Error | undefined
      let wake: (() => void) | undefined
      let next = 0
      const inFlight = new Map<Worker, number>()
      const send = (worker: Worker): void => {
        const task = tasks[next]
        if (task === undefined) return
        next++
        inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1)
        const spare = spares.pop()
        const request: WorkerRequest = { task, spare }
        worker.postMessage(request, spare === undefined ? [] : [spare])
      }
      const onReply = (worker: Worker) => (reply: WorkerReply) => {
        inFlight.set(worker, (inFlight.get(worker) ?? 1) - 1)
        if (reply.ok) done.set(reply.result.id, reply.result)
        else failure ??= new RangeReadError(pathOf.get(reply.id) ?? "", reply.message, reply.code)
        send(worker)
        wake?.()
      }
      const onError = (error: Error) => {
        failure ??= error
        wake?.()
      }
      const listeners = workers.map((worker) => {
        const message = onReply(worker)
        worker.on("message", message)
        worker.on("error", onError)
        return { worker, message }
      })
      try {
        for (const worker of workers) {
          send(worker)
          send(worker)
        }
        for (let expected = 0; expected < tasks.length; expected++) {
          const id = (tasks[expected] as RangeTask).id
          while (!done.has(id)) {
            if (failure !== undefined) throw failure
            await new Promise<void>((resolve) => {
              wake = resolve
            })
            wake = undefined
          }
          const result = done.get(id) as RangeResult
          done.delete(id)
          yield result
        }
      } finally {
        for (const { worker, message } of listeners) {
          worker.off("message", message)
          worker.off("error", onError)
        }
      }
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()))
    }
  }
}
