import { Effect } from "effect"
import { formatCount, formatDuration, perSecond } from "./output.ts"

/** Where progress goes: stderr, normally. */
export interface ProgressSink {
  readonly isTTY: boolean
  readonly write: (text: string) => void
}

export const stderrSink: ProgressSink = {
  isTTY: process.stderr.isTTY === true,
  write: (text) => {
    process.stderr.write(text)
  }
}

export interface Progress {
  /** How often (in records) `update` wants to be called. */
  readonly every: number
  readonly update: (records: number) => Effect.Effect<void>
  /** Prints a line on the same stream without garbling the progress line. */
  readonly print: (line: string) => Effect.Effect<void>
  /** Removes the progress line. */
  readonly finish: Effect.Effect<void>
}

const TTY_EVERY = 10_000
const TTY_REDRAW_MS = 100
const PIPE_EVERY = 1_000_000
const CLEAR_LINE = "\r\x1b[2K"

/**
 * Progress of a long read. On a terminal: one line redrawn in place (records read, records/s, elapsed), at most
 * ten times a second. Elsewhere (a pipe, a log file): one line per million records.
 */
export const makeProgress = (
  label: string,
  sink: ProgressSink = stderrSink,
  now: () => number = () => performance.now()
): Progress => {
  const started = now()
  let shown = ""
  let lastDraw = Number.NEGATIVE_INFINITY
  const status = (records: number): string => {
    const elapsed = now() - started
    return `${label}: ${formatCount(records)} records, ${formatCount(perSecond(records, elapsed))} records/s, ${formatDuration(elapsed)}`
  }
  if (sink.isTTY) {
    return {
      every: TTY_EVERY,
      update: (records) =>
        Effect.sync(() => {
          const t = now()
          if (t - lastDraw < TTY_REDRAW_MS) return
          lastDraw = t
          shown = status(records)
          sink.write(`${CLEAR_LINE}${shown}`)
        }),
      print: (line) =>
        Effect.sync(() => {
          sink.write(shown === "" ? `${line}\n` : `${CLEAR_LINE}${line}\n${shown}`)
        }),
      finish: Effect.sync(() => {
        if (shown !== "") sink.write(CLEAR_LINE)
        shown = ""
      })
    }
  }
  return {
    every: PIPE_EVERY,
    update: (records) => Effect.sync(() => sink.write(`${status(records)}\n`)),
    print: (line) => Effect.sync(() => sink.write(`${line}\n`)),
    finish: Effect.void
  }
}
