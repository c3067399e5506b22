import type { RangeResult, RangeTask } from "./readRange.ts"

/** What a reader thread is started with. */
export interface ReaderThreadData {
  /** Whether to read with the native scanner where it is built. */
  readonly useNative: boolean
}

/** A range to read, with a row buffer of an earlier result to reuse. */
export interface WorkerRequest {
  readonly task: RangeTask
  readonly spare: ArrayBuffer | undefined
}

/** What a reader thread answers for one range: its result, or why the file could not be read. */
export type WorkerReply =
  | { readonly ok: true; readonly result: RangeResult }
  | { readonly ok: false; readonly id: number; readonly message: string; readonly code?: string }

/** A failed read of a file, carrying the system error code for `fsProblem`. */
export class RangeReadError extends Error {
  readonly path: string
  readonly code: string | undefined
  constructor(path: string, message: string, code: string | undefined) {
    super(message)
    this.path = path
    this.code = code
  }
}
