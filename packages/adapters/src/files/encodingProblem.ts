import { open } from "node:fs/promises"

/** How much of a file's start is looked at: many records, so a line ending shows if there is one. */
const SAMPLE_BYTES = 64 << 10

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const LINE_FEED = 0x0a
const CARRIAGE_RETURN = 0x0d

const isRecordStart = (byte: number | undefined): boolean => byte === OPEN_BRACE || byte === OPEN_BRACKET

/**
 * What makes a file unreadable as UTF-8 JSON lines as a whole, seen from its first bytes: UTF-16 text (with or
 * without a byte-order mark), or lines separated by CR alone. Read line by line, the first would give one
 * rejection per line and the second one line of the whole file; either hides that nothing in it was read. Returns
 * the reason, or undefined when the start looks like JSON lines. For regular files only: a pipe or device is read
 * once, and a look at its start would take those bytes from the reader (the folder listing refuses those first).
 */
export const encodingProblem = async (path: string): Promise<string | undefined> => {
  const handle = await open(path, "r")
  try {
    const sample = Buffer.alloc(SAMPLE_BYTES)
    const { bytesRead } = await handle.read(sample, 0, SAMPLE_BYTES, 0)
    const bytes = sample.subarray(0, bytesRead)
    const [b0, b1] = bytes
    if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
      return `it is UTF-16 text (byte-order mark ${b0 === 0xff ? "FF FE" : "FE FF"}): save it as UTF-8`
    }
    if ((isRecordStart(b0) && b1 === 0) || (b0 === 0 && isRecordStart(b1))) {
      return "it is UTF-16 text (a NUL byte beside every character): save it as UTF-8"
    }
    const firstLineFeed = bytes.indexOf(LINE_FEED)
    const firstReturn = bytes.indexOf(CARRIAGE_RETURN)
    if (firstReturn >= 0 && firstLineFeed < 0 && isRecordStart(bytes[firstReturn + 1])) {
      return "its lines end with CR alone (classic Mac OS); JSON lines end with LF or CRLF: convert the line endings"
    }
    return undefined
  } finally {
    await handle.close()
  }
}
