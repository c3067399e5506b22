import { isUtf8 } from "node:buffer"
import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import type { RecordKind } from "@adalqarau/core"
import { KIND_SPECS } from "./kinds.ts"
import { ACCEPTED, BLANK, LineScanner } from "./LineScanner.ts"
import { NativeLineScanner, ROWS_FULL } from "./nativeScanner.ts"

/** A piece of one kind file: the lines that start in bytes [start, end). */
export interface RangeTask {
  readonly id: number
  readonly kind: RecordKind
  readonly path: string
  readonly start: number
  readonly end: number
  readonly maxLineBytes: number
}

/** What a line left to the main thread is: text for the general decoder, not UTF-8, or too long to read. */
export const EVENT_TEXT = 0
export const EVENT_INVALID_UTF8 = 1
export const EVENT_TOO_LONG = 2

/**
 * The lines of a range the scanner could not vouch for, placed among the rows: event `i` comes before row `at[i]`,
 * is line `line[i]` (1-based within the range), of kind `kind[i]`; its bytes are `text[textStart[i],
 * textStart[i + 1])` (none for a line too long, whose length is `tooLong[i]`). Columns, not an object and a string
 * per line: a range of bad lines holds as many events as lines, and would otherwise take some 50 times its bytes
 * (and as long again to clone between threads).
 */
export interface LineEvents {
  readonly count: number
  readonly at: Int32Array
  readonly line: Int32Array
  readonly kind: Uint8Array
  readonly tooLong: Float64Array
  readonly textStart: Int32Array
  readonly text: Uint8Array
  /** The text of lines longer than `LONG_TEXT` bytes, by event: decoded once in the reader (none in `text`). */
  readonly longTexts: ReadonlyMap<number, string>
}

/** Lines left over that are longer than this travel as strings: few, and large enough to make a copy count. */
const LONG_TEXT = 64 << 10

/** What reading a range gives: rows of `spec.slots` numbers, the lines in between, and how many lines it held. */
export interface RangeResult {
  readonly id: number
  readonly lines: number
  readonly rowCount: number
  readonly rows: Float64Array
  readonly events: LineEvents
}

/** The buffers a result owns, to be transferred to the main thread rather than copied. */
export const transferablesOf = (result: RangeResult): Array<ArrayBuffer> => {
  const e = result.events
  return [result.rows, e.at, e.line, e.kind, e.tooLong, e.textStart, e.text].map((a) => a.buffer as ArrayBuffer)
}

/** The text of event `i`: its bytes as UTF-8 (a line that is not valid UTF-8 shows U+FFFD for its bad bytes). */
export const eventText = (events: LineEvents, i: number): string =>
  events.longTexts.get(i) ??
  Buffer.from(events.text.buffer, events.text.byteOffset, events.text.length).toString(
    "utf8",
    events.textStart[i] as number,
    events.textStart[i + 1] as number
  )

/** Grows the event columns as lines are left over. */
class EventColumns {
  count = 0
  at = new Int32Array(64)
  line = new Int32Array(64)
  kind = new Uint8Array(64)
  tooLong = new Float64Array(64)
  textStart = new Int32Array(65)
  text = new Uint8Array(4096)
  readonly longTexts = new Map<number, string>()
  private textEnd = 0

  push(at: number, line: number, kind: number, tooLong: number, bytes?: Buffer, from = 0, to = 0): void {
    const i = this.count
    if (i + 1 >= this.at.length) this.growEvents()
    if (bytes !== undefined && to - from > LONG_TEXT) {
      // Decoded here, once: kept as bytes it would be copied into the columns and decoded again on the other side.
      this.longTexts.set(i, bytes.toString("utf8", from, to))
      to = from
    }
    const length = to - from
    if (this.textEnd + length > this.text.length) {
      const grown = new Uint8Array(Math.max(this.text.length * 2, this.textEnd + length))
      grown.set(this.text.subarray(0, this.textEnd))
      this.text = grown
    }
    if (bytes !== undefined && length > 0) this.text.set(bytes.subarray(from, to), this.textEnd)
    this.at[i] = at
    this.line[i] = line
    this.kind[i] = kind
    this.tooLong[i] = tooLong
    this.textStart[i] = this.textEnd
    this.textEnd += length
    this.textStart[i + 1] = this.textEnd
    this.count = i + 1
  }

  private growEvents(): void {
    const n = this.at.length * 2
    const grownI32 = (a: Int32Array, size: number) => {
      const b = new Int32Array(size)
      b.set(a)
      return b
    }
    this.at = grownI32(this.at, n)
    this.line = grownI32(this.line, n)
    this.textStart = grownI32(this.textStart, n + 1)
    const kind = new Uint8Array(n)
    kind.set(this.kind)
    this.kind = kind
    const tooLong = new Float64Array(n)
    tooLong.set(this.tooLong)
    this.tooLong = tooLong
  }

  /** Views, not copies: the columns belong to this range alone. */
  done(): LineEvents {
    const n = this.count
    return {
      count: n,
      at: this.at.subarray(0, n),
      line: this.line.subarray(0, n),
      kind: this.kind.subarray(0, n),
      tooLong: this.tooLong.subarray(0, n),
      textStart: this.textStart.subarray(0, n + 1),
      text: this.text.subarray(0, this.textEnd),
      longTexts: this.longTexts
    }
  }
}

const NEWLINE = 10
const CARRIAGE_RETURN = 13
const DEFAULT_BLOCK = 4 << 20

/**
 * Reads ranges of kind files with one scanner per kind and one reusable read buffer: the per-thread state of the
 * fast path (a worker thread owns one; the in-process reader owns another).
 */
export class RangeReader {
  private buffer: Buffer
  private readonly scanners = new Map<RecordKind, LineScanner>()
  private readonly nativeScanners = new Map<RecordKind, NativeLineScanner | undefined>()
  private readonly files = new Map<string, { readonly fd: number; readonly size: number }>()
  private readonly useNative: boolean

  /** `useNative`: read lines with the C++ scanner where it is built (the same rows, a few times faster). */
  constructor(blockSize = DEFAULT_BLOCK, useNative = true) {
    this.buffer = Buffer.allocUnsafe(blockSize)
    this.useNative = useNative
  }

  close(): void {
    for (const file of this.files.values()) closeSync(file.fd)
    this.files.clear()
  }

  /**
   * Reads a range. `spare` is memory of an earlier result handed back to be written over: fresh pages cost more
   * than the parsing on these machines, so row buffers go round between the threads instead of being allocated.
   */
  read(task: RangeTask, spare?: ArrayBuffer): RangeResult {
    const file = this.open(task.path)
    const out = new RangeOutput(this.scannerOf(task.kind), task.maxLineBytes, spare)
    const native = this.nativeScannerOf(task.kind)
    let pos = this.firstLineStart(file, task.start)
    let view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length)
    while (pos < task.end && pos < file.size) {
      const buffer = this.buffer
      if (view.buffer !== buffer.buffer || view.byteOffset !== buffer.byteOffset) {
        view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length)
      }
      const n = readSync(file.fd, buffer, 0, Math.min(buffer.length, file.size - pos), pos)
      const lastNewline = buffer.lastIndexOf(NEWLINE, n - 1)
      if (lastNewline < 0) {
        if (pos + n === file.size && n <= task.maxLineBytes) {
          out.line(buffer, view, 0, n, pos === 0, false)
          pos = file.size
        } else if (n === buffer.length && buffer.length <= task.maxLineBytes) {
          this.buffer = Buffer.allocUnsafe(Math.min(buffer.length * 2, task.maxLineBytes + 1))
        } else {
          const skipped = this.skipLine(file, pos)
          out.longLine(skipped.bytes)
          pos = skipped.next
        }
        continue
      }
      // The block's lines checked as UTF-8 at once (a block starts at a line start); each alone only when that fails.
      const linesValid = isUtf8(buffer.subarray(0, lastNewline))
      // Lines that start before `stop` are this block's and this range's.
      const stop = Math.min(lastNewline + 1, task.end - pos)
      let from = 0
      while (from < stop) {
        // The native scanner takes the lines of a valid block in one call, and hands back any line it cannot
        // vouch for (or too long) to be read below; the file's first line is read below too, for a byte-order mark.
        if (native !== undefined && linesValid && pos + from !== 0) {
          from = out.nativeLines(native, buffer, from, stop)
          if (from >= stop) break
        }
        const to = buffer.indexOf(NEWLINE, from)
        out.line(buffer, view, from, to, pos + from === 0, linesValid)
        from = to + 1
      }
      pos += from
    }
    return out.result(task.id)
  }

  private scannerOf(kind: RecordKind): LineScanner {
    let scanner = this.scanners.get(kind)
    if (scanner === undefined) {
      scanner = new LineScanner(KIND_SPECS[kind])
      this.scanners.set(kind, scanner)
    }
    return scanner
  }

  private nativeScannerOf(kind: RecordKind): NativeLineScanner | undefined {
    if (!this.useNative) return undefined
    if (!this.nativeScanners.has(kind)) this.nativeScanners.set(kind, NativeLineScanner.of(KIND_SPECS[kind]))
    return this.nativeScanners.get(kind)
  }

  private open(path: string): { readonly fd: number; readonly size: number } {
    let file = this.files.get(path)
    if (file === undefined) {
      const fd = openSync(path, "r")
      file = { fd, size: fstatSync(fd).size }
      this.files.set(path, file)
    }
    return file
  }

  /** The first line starting at or after `start`: a range owns the lines that start inside it. */
  private firstLineStart(file: { readonly fd: number; readonly size: number }, start: number): number {
    if (start === 0) return 0
    const probe = Buffer.allocUnsafe(1)
    readSync(file.fd, probe, 0, 1, start - 1)
    if (probe[0] === NEWLINE) return start
    return this.skipLine(file, start).next
  }

  /** Skips to the start of the next line without holding the line: its length (line break excluded) and the next start. */
  private skipLine(
    file: { readonly fd: number; readonly size: number },
    from: number
  ): { readonly bytes: number; readonly next: number } {
    let pos = from
    for (;;) {
      const n = readSync(file.fd, this.buffer, 0, Math.min(this.buffer.length, file.size - pos), pos)
      if (n <= 0) return { bytes: pos - from, next: file.size }
      const newline = this.buffer.indexOf(NEWLINE, 0)
      if (newline >= 0 && newline < n) return { bytes: pos + newline - from, next: pos + newline + 1 }
      pos += n
    }
  }
}

/** The rows and events of one range as its lines are read. */
class RangeOutput {
  private readonly scanner: LineScanner
  private readonly stride: number
  private readonly maxLineBytes: number
  private rows: Float64Array
  private rowCount = 0
  private lines = 0
  private readonly events = new EventColumns()

  constructor(scanner: LineScanner, maxLineBytes: number, spare: ArrayBuffer | undefined) {
    this.scanner = scanner
    this.stride = scanner.spec.slots
    this.maxLineBytes = maxLineBytes
    this.rows = spare === undefined ? new Float64Array(Math.max(1, 4096 * this.stride)) : new Float64Array(spare)
  }

  line(bytes: Buffer, view: DataView, from: number, to: number, atFileStart: boolean, valid: boolean): void {
    this.lines++
    // The limit counts the line's bytes as the streaming reader did: a carriage return in, the line feed out.
    if (to - from > this.maxLineBytes) {
      this.events.push(this.rowCount, this.lines, EVENT_TOO_LONG, to - from)
      return
    }
    if (to > from && bytes[to - 1] === CARRIAGE_RETURN) to--
    if (!valid && !isUtf8(bytes.subarray(from, to))) {
      this.events.push(this.rowCount, this.lines, EVENT_INVALID_UTF8, 0, bytes, from, to)
      return
    }
    // A UTF-8 byte-order mark opens the file, not the record.
    if (atFileStart && to - from >= 3 && bytes[from] === 0xef && bytes[from + 1] === 0xbb && bytes[from + 2] === 0xbf) {
      from += 3
    }
    const verdict = this.scanner.scan(bytes, view, from, to)
    if (verdict === ACCEPTED) {
      const stride = this.stride
      let offset = this.rowCount * stride
      if (offset + stride > this.rows.length) this.growRows()
      const row = this.scanner.row
      const rows = this.rows
      for (let k = 0; k < stride; k++) rows[offset++] = row[k] as number
      this.rowCount++
    } else if (verdict !== BLANK) {
      this.events.push(this.rowCount, this.lines, EVENT_TEXT, 0, bytes, from, to)
    }
  }

  /**
   * Reads lines from `from` with the native scanner until `stop` or a line it leaves to `line`; returns where it
   * stopped.
   */
  nativeLines(native: NativeLineScanner, bytes: Buffer, from: number, stop: number): number {
    for (;;) {
      native.scanLines(bytes, from, stop, this.maxLineBytes, this.rows, this.rowCount)
      const out = native.out
      from = out[0] as number
      this.rowCount += out[1] as number
      this.lines += out[2] as number
      if (out[3] !== ROWS_FULL) return from
      this.growRows()
    }
  }

  private growRows(): void {
    const grown = new Float64Array(Math.max(this.rows.length * 2, 4096 * this.stride))
    grown.set(this.rows)
    this.rows = grown
  }

  longLine(bytes: number): void {
    this.lines++
    this.events.push(this.rowCount, this.lines, EVENT_TOO_LONG, bytes)
  }

  result(id: number): RangeResult {
    return {
      id,
      lines: this.lines,
      rowCount: this.rowCount,
      rows: this.rows.subarray(0, this.rowCount * this.stride),
      events: this.events.done()
    }
  }
}
