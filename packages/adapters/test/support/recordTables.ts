import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** The tables an import fills with records. */
export const RECORD_TABLES = [
  "contract",
  "contract_chain",
  "contract_unit",
  "lot",
  "treasury_payment",
  "subject",
  "ref_book"
] as const

/** A digest of every row of the record tables (md5 of the rows in a fixed order), with each table's row count. */
export const recordTableContents = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const out: Record<string, string> = {}
  for (const table of RECORD_TABLES) {
    const rows = yield* sql<{ digest: string; n: unknown }>`
      SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*)::int AS n
      FROM ${sql(table)} t`
    out[table] = `${Number(rows[0]?.n)}:${rows[0]?.digest}`
  }
  return out
})
