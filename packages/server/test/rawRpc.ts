/**
 * Calls one RPC procedure by name with a JSON payload over the wire protocol (HTTP POST, ndjson) — what a client
 * in any language would send. The table-driven tests use it to reach every procedure without per-procedure code.
 */
export interface RawRpcResult {
  /** "success", or the `_tag` of the typed failure, or "defect". */
  readonly outcome: string
  /** The success value, or for streams every chunk's values in order. */
  readonly value: unknown
  readonly error: unknown
  readonly httpStatus: number
}

interface Frame {
  readonly _tag: string
  readonly values?: ReadonlyArray<unknown>
  readonly exit?: {
    readonly _tag: "Success" | "Failure"
    readonly value?: unknown
    readonly cause?: ReadonlyArray<{
      readonly _tag: string
      readonly error?: { readonly _tag: string }
      readonly defect?: unknown
    }>
  }
}

export const callRpc = async (
  baseUrl: string,
  tag: string,
  payload: unknown,
  accessToken?: string
): Promise<RawRpcResult> => {
  const response = await fetch(`${baseUrl}/rpc`, {
    method: "POST",
    headers: {
      "content-type": "application/ndjson",
      ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` })
    },
    body: `${JSON.stringify({ _tag: "Request", id: "1", tag, payload: payload ?? null, headers: [] })}\n`
  })
  const frames = (await response.text())
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Frame)
  const chunks = frames.flatMap((f) => (f._tag === "Chunk" ? (f.values ?? []) : []))
  const exit = frames.find((f) => f._tag === "Exit")?.exit
  if (exit === undefined) throw new Error(`no Exit frame for ${tag}: ${JSON.stringify(frames)}`)
  if (exit._tag === "Success") {
    return {
      outcome: "success",
      value: frames.some((f) => f._tag === "Chunk") || exit.value === undefined ? chunks : exit.value,
      error: undefined,
      httpStatus: response.status
    }
  }
  const failure = exit.cause?.find((c) => c._tag === "Fail")
  if (failure?.error !== undefined) {
    return { outcome: failure.error._tag, value: chunks, error: failure.error, httpStatus: response.status }
  }
  return { outcome: "defect", value: chunks, error: exit.cause, httpStatus: response.status }
}
