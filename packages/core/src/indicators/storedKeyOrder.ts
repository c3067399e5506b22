import { compareCodePoints } from "../domain/codePointOrder.ts"
import type { Finding } from "./Finding.ts"

const utf8Length = (text: string): number => {
  let n = 0
  for (const char of text) {
    const code = char.codePointAt(0) as number
    n += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
  }
  return n
}

/** PostgreSQL's `jsonb` key order: shorter keys (in UTF-8 bytes) first, equal lengths bytewise. */
const compareJsonbKeys = (a: string, b: string): number => utf8Length(a) - utf8Length(b) || compareCodePoints(a, b)

const inJsonbOrder = (record: Readonly<Record<string, string>>): Record<string, string> => {
  const keys = Object.keys(record)
  const sorted = [...keys].sort(compareJsonbKeys)
  if (sorted.every((key, i) => key === keys[i])) return record
  return Object.fromEntries(sorted.map((key) => [key, record[key] as string]))
}

/**
 * A finding with its measures and thresholds in the order the SQL stores give them back (`jsonb` keeps its keys
 * sorted, not as written). Findings from every engine and store list them alike, so an export of `analyze` and
 * one of the stored findings are equal line for line (`days, first_payment, contract_created`).
 */
export const inStoredKeyOrder = (finding: Finding): Finding => {
  const measures = inJsonbOrder(finding.measures)
  const thresholds = inJsonbOrder(finding.thresholds)
  return measures === finding.measures && thresholds === finding.thresholds
    ? finding
    : { ...finding, measures, thresholds }
}
