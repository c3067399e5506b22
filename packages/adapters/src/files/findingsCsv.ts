import { type Finding, formatAlmaty, regionInfo } from "@adalqarau/core"

/** The columns of a findings CSV file, in order. */
export const FINDINGS_CSV_COLUMNS = [
  "indicator",
  "key",
  "subject",
  "contract_id",
  "customer_bin",
  "supplier_bin",
  "region",
  "region_name",
  "date",
  "measures",
  "thresholds",
  "explanation_ru",
  "explanation_en"
] as const

const NEEDS_QUOTES = /[",\r\n]/u

/** One CSV field as RFC 4180 writes it: quoted when it holds a comma, a double quote or a line break. */
export const csvField = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value

/** One CSV record, with the CRLF line break of RFC 4180. */
export const csvRecord = (fields: ReadonlyArray<string>): string => `${fields.map(csvField).join(",")}\r\n`

/** `name=value; name=value` in the finding's own order. */
export const formatNamedValues = (values: Readonly<Record<string, string>>): string =>
  Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join("; ")

const FORMULA_START = /^[=+\-@\t\r]/u

/**
 * Text a spreadsheet will not run: Excel and LibreOffice take a cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return as a formula (`=HYPERLINK(…)` from a custom indicator's explanation would run on opening the
 * export), so such text gets a leading apostrophe, which they show as text. Applied to the free-text columns only;
 * the others hold codes, digits and dates, which cannot start so.
 */
export const spreadsheetText = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text)

/** The fields of one finding, in `FINDINGS_CSV_COLUMNS` order; the date in Almaty time with its offset. */
export const findingCsvFields = (finding: Finding): ReadonlyArray<string> => [
  finding.indicator,
  finding.key,
  finding.subject._tag,
  finding.subject._tag === "contract" ? String(finding.subject.contractId) : "",
  finding.customerBin,
  finding.supplierBin,
  finding.region ?? "",
  finding.region === null ? "" : regionInfo(finding.region).en,
  finding.date === null ? "" : formatAlmaty(finding.date),
  spreadsheetText(formatNamedValues(finding.measures)),
  spreadsheetText(formatNamedValues(finding.thresholds)),
  spreadsheetText(finding.explanation.ru),
  spreadsheetText(finding.explanation.en)
]

export const findingsCsvHeader: string = csvRecord(FINDINGS_CSV_COLUMNS)

export const findingCsvRecord = (finding: Finding): string => csvRecord(findingCsvFields(finding))
