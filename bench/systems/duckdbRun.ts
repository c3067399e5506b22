/**
 * Child process of `pnpm bench`: the reference run — the five indicators as plain SQL in DuckDB over the same
 * JSONL files. Prints one JSON line (timings, peak RSS) and writes the sorted finding keys to a file.
 *
 *   node bench/systems/duckdbRun.ts DIR KEYS_FILE
 */
import { writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { DuckDBInstance } from "@duckdb/node-api"
import { indicatorQueries, loadStatements, prepareStatements } from "./duckdbSql.ts"

const [dir, keysFile] = process.argv.slice(2)
if (dir === undefined || keysFile === undefined) throw new Error("usage: duckdbRun.ts DIR KEYS_FILE")

const started = performance.now()
const instance = await DuckDBInstance.create(":memory:", { threads: String(availableParallelism()) })
const connection = await instance.connect()
const version = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjects()[0]?.v
for (const statement of loadStatements(dir)) await connection.run(statement)
const loaded = performance.now()
for (const statement of prepareStatements) await connection.run(statement)
const keys: Array<string> = []
const perIndicator: Record<string, number> = {}
for (const [code, sql] of Object.entries(indicatorQueries)) {
  const rows = (await connection.runAndReadAll(sql)).getRowObjects()
  perIndicator[code] = rows.length
  for (const row of rows) keys.push(String(row.key))
}
const evaluated = performance.now()
connection.closeSync()
instance.closeSync()

keys.sort()
writeFileSync(keysFile, `${keys.join("\n")}\n`)
console.log(
  JSON.stringify({
    version: String(version),
    loadMs: loaded - started,
    evaluateMs: evaluated - loaded,
    totalMs: evaluated - started,
    findings: keys.length,
    perIndicator,
    maxRssKiB: process.resourceUsage().maxRSS
  })
)
