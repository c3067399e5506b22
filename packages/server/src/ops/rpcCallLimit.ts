import { Effect, Exit } from "effect"
import { HttpRouter, HttpServerRequest } from "effect/http"
import { problemResponse } from "./routeProblems.ts"
import { pathOf } from "./routes.ts"

/**
 * Calls one RPC request may carry. The body limit bounds a request's bytes, not its work: a 1 MiB NDJSON body holds
 * some 10,000 calls, each answered with up to a page of data, and a client that never reads the answer would leave
 * it all in the server's memory. The TypeScript client sends one call per request; a batching client sends
 * batches of this size at most.
 */
export const MAX_RPC_CALLS = 50

const NEWLINE = 10

/** The NDJSON messages of a body: its non-blank lines. */
const messagesIn = (body: Uint8Array): number => {
  let messages = 0
  let blank = true
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number
    if (byte === NEWLINE) {
      if (!blank) messages++
      blank = true
    } else if (byte !== 32 && byte !== 9 && byte !== 13) blank = false
  }
  return blank ? messages : messages + 1
}

/**
 * Answers 413 to an RPC request of more than `maxCalls` calls, before any of them runs. The body is read here and
 * kept by the request, so the RPC route reads it again from memory; a body that cannot be read (too large, cut
 * off) is left to the route, which answers it as before.
 */
export const layerRpcCallLimit = (rpcPath: string, maxCalls: number = MAX_RPC_CALLS) =>
  HttpRouter.middleware(
    (app) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (request.method !== "POST" || pathOf(request.url) !== rpcPath) return yield* app
        const body = yield* Effect.exit(request.arrayBuffer)
        if (Exit.isSuccess(body) && messagesIn(new Uint8Array(body.value)) > maxCalls) {
          return problemResponse(
            413,
            "Payload Too Large",
            `an RPC request carries at most ${maxCalls} calls; send more requests, or smaller batches`
          )
        }
        return yield* app
      }),
    { global: true }
  )
