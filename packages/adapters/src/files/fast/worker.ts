/**
 * A reader thread of the JSONL fast path: reads the ranges it is sent and posts back their rows and left-over
 * lines (transferred, not copied). It loads no effect and no core index — only the scanner and
 * `@adalqarau/core/lexical` — so it starts in milliseconds.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { ReaderThreadData, WorkerReply, WorkerRequest } from "./protocol.ts"
import { RangeReader, transferablesOf } from "./readRange.ts"

const port = parentPort
if (port === null) throw new Error("the JSONL reader worker must run in a worker thread")

const reader = new RangeReader(undefined, (workerData as ReaderThreadData | undefined)?.useNative !== false)
port.on("message", ({ task, spare }: WorkerRequest) => {
  let reply: WorkerReply
  try {
    reply = { ok: true, result: reader.read(task, spare) }
  } catch (cause) {
    const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
    reply = {
      ok: false,
      id: task.id,
      message: cause instanceof Error ? cause.message : String(cause),
      ...(code === undefined ? {} : { code })
    }
  }
  port.postMessage(reply, reply.ok ? transferablesOf(reply.result) : [])
})
