import { isUtf8 } from "node:buffer"
import { createReadStream } from "node:fs"
import { Channel, Stream } from "effect"
import { isArrayNonEmpty, type NonEmptyReadonlyArray } from "effect/Array"

export interface LineBatchOptions {
  /** Bytes read from the file at a time (default 1 MiB). */
  readonly chunkSize?: number
  /** Longer lines are not decoded but reported through `onLongLine` (default 256 MiB; V8 strings stop near 512 MiB). */
  readonly maxLineBytes?: number
}

export interface LineHandlers<A> {
  /** One line, without its line break (`\n` or `\r\n`), with its 1-based number; pushes what it makes of it. */
  readonly onLine: (text: string, line: number, out: Array<A>) => void
  /** A line longer than `maxLineBytes`; its bytes were skipped, never held in memory. */
  readonly onLongLine: (bytes: number, line: number, out: Array<A>) => void
  /**
   * A line whose bytes are not valid UTF-8, with its text as decoding makes it (U+FFFD for each bad sequence):
   * neither `onBytes` nor `onLine` sees it.
   */
  readonly onInvalidText: (text: string, line: number, out: Array<A>) => void
  /**
   * Tried before `onLine` with the line's bytes, `bytes[from, to)` (`view` over the same memory): true when it
   * handled the line, false to have `onLine` decode its text. Spares the text of lines a byte reader can take.
   */
  readonly onBytes?: (bytes: Buffer, view: DataView, from: number, to: number, line: number, out: Array<A>) => boolean
}

const NEWLINE = 10
const CARRIAGE_RETURN = 13
const BYTE_ORDER_MARK = 0xfeff
const DEFAULT_CHUNK_SIZE = 1 << 20
const DEFAULT_MAX_LINE_BYTES = 256 << 20

/**
 * The lines of a text file, handled batch by batch: the file is read in `chunkSize` pieces, split on `\n` at the
 * byte level (faster than readline or a text splitter: UTF-8 never holds byte 10 inside a character), and every
 * piece's handled lines go downstream as one stream chunk. Memory stays bounded by the chunk size and the longest
 * line. A UTF-8 byte-order mark at the start is skipped; a last line without a line break is still a line. Lines
 * are checked to be UTF-8 (a piece's whole lines at once, each line alone only where that fails).
 */
export const fileLineBatches = <A, E>(
  path: string,
  handlers: LineHandlers<A>,
  onError: (cause: unknown) => E,
  options: LineBatchOptions = {}
): Stream.Stream<A, E> =>
  Stream.suspend(() =>
    Stream.fromChannel(
      Channel.fromAsyncIterable(
        batches(
          path,
          handlers,
          options.chunkSize ?? DEFAULT_CHUNK_SIZE,
          options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
        ),
        onError
      )
    )
  )

async function* batches<A>(
  path: string,
  { onLine, onLongLine, onInvalidText, onBytes }: LineHandlers<A>,
  chunkSize: number,
  maxLineBytes: number
): AsyncGenerator<NonEmptyReadonlyArray<A>, void> {
  const input = createReadStream(path, { highWaterMark: chunkSize })
  // The start of the current line when it began in an earlier chunk; `skipping` once it grew past the limit.
  let pending: Array<Buffer> = []
  let pendingBytes = 0
  let skipping = false
  let line = 0

  let viewed: Buffer | undefined
  let view: DataView = new DataView(new ArrayBuffer(0))
  // `valid`: the line's bytes are known to be UTF-8 (checked with the rest of its piece); else they are checked here.
  const emit = (bytes: Buffer, from: number, to: number, out: Array<A>, valid: boolean): void => {
    if (to > from && bytes[to - 1] === CARRIAGE_RETURN) to--
    if (!valid && !isUtf8(bytes.subarray(from, to))) {
      onInvalidText(bytes.toString("utf8", from, to), line, out)
      return
    }
    if (onBytes !== undefined) {
      if (bytes !== viewed) {
        viewed = bytes
        view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
      }
      if (onBytes(bytes, view, from, to, line, out)) return
    }
    const text = bytes.toString("utf8", from, to)
    onLine(line === 1 && text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text, line, out)
  }

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const out: Array<A> = []
      let start = 0
      // The lines that lie wholly in this piece, checked as one: a line begun in an earlier piece is checked alone.
      const first = pendingBytes > 0 || skipping ? chunk.indexOf(NEWLINE) + 1 : 0
      const last = chunk.lastIndexOf(NEWLINE)
      const wholeLinesValid = first > 0 && first > last ? true : isUtf8(chunk.subarray(first, Math.max(first, last)))
      for (;;) {
        const end = chunk.indexOf(NEWLINE, start)
        if (end === -1) break
        line++
        if (skipping) {
          onLongLine(pendingBytes + end - start, line, out)
          skipping = false
        } else if (pendingBytes === 0) {
          emit(chunk, start, end, out, wholeLinesValid)
        } else {
          pending.push(chunk.subarray(start, end))
          const whole = Buffer.concat(pending, pendingBytes + end - start)
          emit(whole, 0, whole.length, out, false)
        }
        pending = []
        pendingBytes = 0
        start = end + 1
      }
      if (start < chunk.length) {
        pendingBytes += chunk.length - start
        if (!skipping) pending.push(chunk.subarray(start))
        if (!skipping && pendingBytes > maxLineBytes) {
          skipping = true
          pending = []
        }
      }
      if (isArrayNonEmpty(out)) yield out
    }
    if (pendingBytes > 0) {
      line++
      const out: Array<A> = []
      if (skipping) onLongLine(pendingBytes, line, out)
      else {
        const whole = Buffer.concat(pending, pendingBytes)
        emit(whole, 0, whole.length, out, false)
      }
      if (isArrayNonEmpty(out)) yield out
    }
  } finally {
    input.destroy()
  }
}
