import {
  accepted,
  decodeRecord,
  locateRejection,
  parseOwsJson,
  type RecordKind,
  RecordRejection,
  rejected,
  type SourceItem,
  showValue
} from "@adalqarau/core"

/**
 * JSON's own whitespace only: `\s` also matched U+00A0, U+2028, U+FEFF, \v and \f, and a line of those was
 * skipped as blank, neither read nor rejected. Such a line is now rejected as not JSON.
 */
const BLANK = /^[ \t\r\n]*$/u

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An OWS REST page (`{ total, limit, next_page, items: [...] }`), as saved by downloads that keep one page a line. */
const pageItems = (value: unknown): ReadonlyArray<unknown> | undefined =>
  isObject(value) &&
  Array.isArray(value.items) &&
  ("next_page" in value || "total" in value || "limit" in value || "nextPage" in value)
    ? value.items
    : undefined

const inPage = (rejection: RecordRejection, index: number, size: number): RecordRejection =>
  new RecordRejection({
    kind: rejection.kind,
    field: rejection.field,
    value: rejection.value,
    reason: `${rejection.reason} (item ${index + 1} of ${size} of the page)`,
    ...(rejection.recordId === undefined ? {} : { recordId: rejection.recordId })
  })

/** Control characters, line separators and the invisible byte-order mark. */
export const isUnprintable = (code: number): boolean =>
  code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff

/**
 * JSON.parse's message, which quotes the line around the error: its unprintable characters are written as
 * escapes, so that a report shows an escape sequence as text instead of a terminal acting on it, and a mid-file
 * byte-order mark is visible.
 */
const parseFailure = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  let out = ""
  for (const c of message) {
    const code = c.charCodeAt(0)
    out += isUnprintable(code) ? `\\u${code.toString(16).padStart(4, "0")}` : c
  }
  return out
}

/**
 * Whether a line looks like text saved as UTF-16: ASCII in UTF-16 has a NUL byte beside every character, which
 * reads as UTF-8 with a NUL between each two characters (after a byte-order mark, shown as U+FEFF or U+FFFD).
 * Such a file is readable once saved as UTF-8; "invalid JSON" alone did not say so. The NULs must alternate with
 * characters: a run of them (the zero-filled tail a crash leaves in a file being written) is no UTF-16, and saving
 * it as UTF-8 would not help.
 */
export const looksUtf16 = (text: string): boolean => {
  const sample = text.replace(/^[\uFEFF\uFFFD]+/u, "").slice(0, 64)
  if (sample.length < 8) return false
  let nuls = 0
  let alternations = 0
  for (let i = 0; i < sample.length; i++) {
    const nul = sample.charCodeAt(i) === 0
    if (nul) nuls++
    if (i > 0 && nul !== (sample.charCodeAt(i - 1) === 0)) alternations++
  }
  return nuls * 3 >= sample.length && alternations * 2 >= sample.length
}

const UTF16_HINT = " (the line looks UTF-16-encoded, with a NUL beside each character: save the file as UTF-8)"

/**
 * Decodes one line of an OWS JSONL file of the given kind into source items: none for a blank line, one rejection
 * (field `(json)`) for text that is not JSON, one item per element of an OWS page object, else one item. Every
 * rejection is located at the file and 1-based line.
 */
export const decodeJsonlLine =
  (kind: RecordKind, source: string) =>
  (text: string, line: number, out: Array<SourceItem>): void => {
    if (BLANK.test(text)) return
    let value: unknown
    try {
      value = parseOwsJson(text)
    } catch (cause) {
      const rejection = new RecordRejection({
        kind,
        field: "(json)",
        value: showValue(text),
        // Valid JSON nested thousands of levels deep: reading its long numbers exactly walks it recursively.
        reason:
          cause instanceof RangeError && /call stack/u.test(cause.message)
            ? "nested too deeply to read (thousands of levels of arrays or objects); not read"
            : `invalid JSON: ${parseFailure(cause)}${looksUtf16(text) ? UTF16_HINT : ""}`
      })
      out.push(rejected(locateRejection(rejection, source, line)))
      return
    }
    const items = pageItems(value)
    if (items === undefined) {
      const decoded = decodeRecord(kind, value)
      out.push(decoded.ok ? accepted(decoded.value) : rejected(locateRejection(decoded.rejection, source, line)))
      return
    }
    for (let i = 0; i < items.length; i++) {
      const decoded = decodeRecord(kind, items[i])
      out.push(
        decoded.ok
          ? accepted(decoded.value)
          : rejected(locateRejection(inPage(decoded.rejection, i, items.length), source, line))
      )
    }
  }

/**
 * The rejection of a line whose bytes are not valid UTF-8. Decoding would replace them with U+FFFD and carry on,
 * and the record would be stored with text that is not what the file holds; `text` is that lossy decoding, shown
 * so that the reader sees where the bad bytes are.
 */
export const invalidTextRejection =
  (kind: RecordKind, source: string) =>
  (text: string, line: number, out: Array<SourceItem>): void => {
    out.push(
      rejected(
        new RecordRejection({
          kind,
          field: "(encoding)",
          value: showValue(text),
          reason: `the line is not valid UTF-8 (shown with U+FFFD where its bytes are not characters); not read${
            looksUtf16(text) ? UTF16_HINT : ""
          }`,
          source,
          line
        })
      )
    )
  }

/** The rejection of a line too long to decode (its bytes were skipped). */
export const longLineRejection =
  (kind: RecordKind, source: string, maxLineBytes: number) =>
  (bytes: number, line: number, out: Array<SourceItem>): void => {
    out.push(
      rejected(
        new RecordRejection({
          kind,
          field: "(json)",
          value: `(${bytes} bytes)`,
          reason: `line longer than ${maxLineBytes} bytes; not read`,
          source,
          line
        })
      )
    )
  }
