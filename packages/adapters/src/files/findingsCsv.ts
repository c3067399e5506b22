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
  formatNamedValues(finding.measures),
  formatNamedValues(finding.thresholds),
  finding.explanation.ru,
  finding.explanation.en
]

export const findingsCsvHeader: string = csvRecord(FINDINGS_CSV_COLUMNS)

export const findingCsvRecord = (finding: Finding): string => csvRecord(findingCsvFields(finding))
