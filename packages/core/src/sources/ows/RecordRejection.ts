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

/** JSON text of a value, shortened for reports. */
export const showValue = (value: unknown): string => {
  let text: string
  try {
    text = value === undefined ? "(missing)" : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text
}

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
