import { Schema } from "effect"

/** Why one input record was not accepted: which field, what it held, and what was wrong with it. */
export class RecordRejection extends Schema.Class<RecordRejection>("@adalqarau/core/RecordRejection")({
  kind: Schema.String,
  /** The OWS field name (snake_case) or `(record)` / `(json)` when the record as a whole is wrong. */
  field: Schema.String,
  /** The offending value, shortened, as JSON text. */
  value: Schema.String,
  reason: Schema.String,
  /** Where the record came from, when the source knows (file and 1-based line). */
  source: Schema.optional(Schema.String),
  line: Schema.optional(Schema.Int),
  recordId: Schema.optional(Schema.String)
}) {
  get text(): string {
    const where = this.source === undefined ? "" : `${this.source}${this.line === undefined ? "" : `:${this.line}`}: `
    return `${where}${this.kind} ${this.recordId === undefined ? "" : `${this.recordId} `}field ${this.field} = ${this.value}: ${this.reason}`
  }
}

const MAX_VALUE_TEXT = 120

const MAX_SHOWN_DEPTH = 8
const MAX_SHOWN_ITEMS = 16

/**
 * JSON text of a value, at most a few levels and items deep: a value nested thousands of levels (valid JSON, which
 * JSON.parse reads) overflowed the stack in JSON.stringify while its rejection was being written.
 */
const shownJson = (value: unknown, depth: number): string => {
  if (Array.isArray(value)) {
    if (depth >= MAX_SHOWN_DEPTH) return "[…]"
    const items = value.slice(0, MAX_SHOWN_ITEMS).map((item: unknown) => shownJson(item, depth + 1))
    return `[${items.join(",")}${value.length > MAX_SHOWN_ITEMS ? ",…" : ""}]`
  }
  if (value !== null && typeof value === "object") {
    if (depth >= MAX_SHOWN_DEPTH) return "{…}"
    const entries = Object.entries(value)
    const items = entries.slice(0, MAX_SHOWN_ITEMS).map(([k, v]) => `${JSON.stringify(k)}:${shownJson(v, depth + 1)}`)
    return `{${items.join(",")}${entries.length > MAX_SHOWN_ITEMS ? ",…" : ""}}`
  }
  // JSON.stringify writes Infinity and NaN as null, which would show a value the record does not hold.
  return typeof value === "bigint" || (typeof value === "number" && !Number.isFinite(value))
    ? String(value)
    : (JSON.stringify(value) ?? String(value))
}

/** JSON text of a value, shortened for reports. */
export const showValue = (value: unknown): string => {
  const text = value === undefined ? "(missing)" : shownJson(value, 0)
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text
}

const MAX_REASON_TEXT = 300
const MAX_ID_TEXT = 64

const shortened = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text

/**
 * A reason for reports and storage: reasons quote the value they refuse, and a 500 KB date string made a 500 KB
 * reason on the terminal and in `rejected_record`. The value itself is shown (shortened) in `value`.
 */
export const shortReason = (reason: string): string => shortened(reason, MAX_REASON_TEXT)

/** A record's id as reports show it: the text of a number or string, else its JSON, at most 64 characters. */
export const shownRecordId = (id: unknown): string =>
  typeof id === "string" || typeof id === "number" || typeof id === "bigint"
    ? shortened(String(id), MAX_ID_TEXT)
    : shortened(shownJson(id, 0), MAX_ID_TEXT)

/** The same rejection, located in its source (a file and 1-based line, or another source name). */
export const locateRejection = (rejection: RecordRejection, source: string, line?: number): RecordRejection =>
  new RecordRejection({
    kind: rejection.kind,
    field: rejection.field,
    value: rejection.value,
    reason: rejection.reason,
    source,
    ...(line === undefined ? {} : { line }),
    ...(rejection.recordId === undefined ? {} : { recordId: rejection.recordId })
  })
