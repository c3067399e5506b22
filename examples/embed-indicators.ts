/**
 * Embedding the indicator library: decode goszakup OWS records, run the five standard indicators with one
 * threshold changed, and print the findings. Run: `node examples/embed-indicators.ts`.
 */
import {
  analyzeRecords,
  completeBin,
  decodeRecord,
  type Finding,
  type ProcurementRecord,
  type RecordKind
} from "@adalqarau/core"
import { Effect } from "effect"

const customer = completeBin("04054000123") as string
const supplier = completeBin("17084000456") as string

/** Raw rows as the OWS v3 REST API returns them (snake_case, zone-less Almaty times, sums in tenge). */
const rows: ReadonlyArray<readonly [RecordKind, unknown]> = [
  ["subject", { bin: customer, name_ru: "ГУ «Отдел образования»", kato: "751110000" }],
  ["lot", { id: 501, amount: 1_000_000, trd_buy_id: 77 }],
  [
    "contract",
    {
      id: 9001,
      parent_id: null,
      root_id: null,
      crdate: "2024-04-01 09:00:00",
      sign_date: "2024-04-02 10:00:00",
      ref_contract_status_id: 190,
      ref_contract_type_id: 1,
      ref_contract_year_type_id: 1,
      customer_bin: customer,
      supplier_biin: supplier,
      contract_sum_wnds: 650_000,
      fakt_sum_wnds: 650_000
    }
  ],
  ["unit", { id: 1, contract_id: 9001, lot_id: 501, total_sum: 650_000 }],
  [
    "contract",
    {
      id: 9002,
      parent_id: 9001,
      root_id: 9001,
      crdate: "2024-06-01 09:00:00",
      sign_date: "2024-06-01 12:00:00",
      ref_contract_status_id: 190,
      ref_contract_type_id: 2,
      ref_contract_year_type_id: 1,
      customer_bin: customer,
      supplier_biin: supplier,
      contract_sum_wnds: "890000.00",
      fakt_sum_wnds: 650_000
    }
  ],
  ["payment", { id: 1, contract_id: 9001, pay_date: "2024-04-03", pay_amount: 300_000 }],
  ["contract", { id: 9003, crdate: "not a date" }]
]

export const run = Effect.gen(function* () {
  const records: Array<ProcurementRecord> = []
  const lines: Array<string> = []
  for (const [kind, raw] of rows) {
    const decoded = decodeRecord(kind, raw)
    if (decoded.ok) records.push(decoded.value)
    else lines.push(`rejected: ${decoded.rejection.text}`)
  }
  const result = yield* analyzeRecords(records, { params: { indicators: { "super-dumping": { threshold: 25 } } } })
  for (const finding of result.findings) lines.push(describe(finding))
  return { findings: result.findings, lines }
})

const describe = (f: Finding): string => `${f.indicator} ${f.key} region=${f.region ?? "?"}: ${f.explanation.en}`

if (import.meta.main) {
  const { lines } = await Effect.runPromise(run)
  for (const line of lines) console.log(line)
}
