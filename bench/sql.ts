import { execFile } from "node:child_process"
import { access } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { runChild } from "./child.ts"
import type { Dataset } from "./datasets.ts"
import { compareKeys, type KeyCheck } from "./measure.ts"
import { ROOT } from "./paths.ts"
import { median } from "./stats.ts"

const run = promisify(execFile)

const SQL_RUN = `${ROOT}bench/systems/sqlRun.ts`
const CLUSTER = `${ROOT}scripts/pg-test-cluster.sh`
/** Every record file the importer reads, so that \copy loads the same lines. */
const JSONL_FILES = [
  "subjects.jsonl",
  "refs.jsonl",
  "lots.jsonl",
  "contracts.jsonl",
  "contract_units.jsonl",
  "treasury_payments.jsonl"
]

/** One run of the SQL storage (bench/systems/sqlRun.ts). */
export interface SqlRun {
  readonly importMs: number
  readonly records: number
  readonly contracts: number
  readonly recordsPerSecond: number
  readonly contractsPerSecond: number
  readonly runMs: number
  readonly findings: number
  readonly changedRecords: number
  readonly changeImportMs: number
  readonly refreshMs: number
  readonly recomputeMs: number
  readonly peakRssMiB: number
}

export interface SqlBackendResult {
  readonly backend: "pg" | "pglite"
  readonly runs: ReadonlyArray<SqlRun>
  readonly median: SqlRun
  /** The full run's finding keys against the in-memory engine's. */
  readonly check: KeyCheck
}

export interface CopyResult {
  readonly runs: ReadonlyArray<{ readonly ms: number; readonly rows: number }>
  readonly medianMs: number
  readonly rows: number
  readonly rowsPerSecond: number
}

interface SqlOutput extends Omit<SqlRun, "peakRssMiB"> {
  readonly maxRssKiB: number
}

const medianRun = (runs: ReadonlyArray<SqlRun>): SqlRun => {
  const m = (f: (r: SqlRun) => number) => median(runs.map(f))
  return {
    importMs: m((r) => r.importMs),
    records: m((r) => r.records),
    contracts: m((r) => r.contracts),
    recordsPerSecond: m((r) => r.recordsPerSecond),
    contractsPerSecond: m((r) => r.contractsPerSecond),
    runMs: m((r) => r.runMs),
    findings: m((r) => r.findings),
    changedRecords: m((r) => r.changedRecords),
    changeImportMs: m((r) => r.changeImportMs),
    refreshMs: m((r) => r.refreshMs),
    recomputeMs: m((r) => r.recomputeMs),
    peakRssMiB: m((r) => r.peakRssMiB)
  }
}

/** A PostgreSQL server for the run: the one given, or a throwaway cluster (scripts/pg-test-cluster.sh) stopped after. */
export interface Postgres {
  readonly url: string
  readonly stop: () => Promise<void>
}

export const openPostgres = async (given: string | undefined, log: (line: string) => void): Promise<Postgres> => {
  if (given !== undefined) return { url: given, stop: async () => {} }
  await access(CLUSTER)
  const { stdout } = await run("bash", [CLUSTER, "start", "55441"])
  const values = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split("=", 2) as [string, string])
  )
  const url = values.DATABASE_URL
  const dir = values.PG_TEST_DIR
  if (url === undefined || dir === undefined) throw new Error(`pg-test-cluster.sh printed no DATABASE_URL:\n${stdout}`)
  log(`  started a throwaway PostgreSQL at ${url}`)
  return {
    url,
    stop: async () => {
      await run("bash", [CLUSTER, "stop", dir])
    }
  }
}

/** The server's URL with another database name. */
const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const psql = async (url: string, command: string): Promise<string> => {
  const { stdout } = await run("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAtc", command], { maxBuffer: 1 << 20 })
  return stdout
}

/**
 * The anchor of the import target: `psql \copy` of the same JSONL lines into a one-column table — the fastest way
 * the rows can enter PostgreSQL, with no parsing, checking or deduplication at all.
 */
export const measureCopy = async (pg: Postgres, dataset: Dataset, runs: number): Promise<CopyResult> => {
  const out: Array<{ ms: number; rows: number }> = []
  for (let r = 0; r < runs; r++) {
    await psql(pg.url, "DROP TABLE IF EXISTS bench_copy; CREATE UNLOGGED TABLE bench_copy (line text)")
    // CSV with quote and delimiter characters JSON text never holds raw: each line arrives whole and unchanged.
    const copies = JSONL_FILES.flatMap((file) => [
      "-c",
      `\\copy bench_copy (line) FROM '${join(dataset.dir, file)}' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`
    ])
    const started = performance.now()
    await run("psql", [pg.url, "-v", "ON_ERROR_STOP=1", "-q", ...copies])
    const ms = performance.now() - started
    const rows = Number((await psql(pg.url, "SELECT count(*) FROM bench_copy")).trim())
    out.push({ ms, rows })
  }
  await psql(pg.url, "DROP TABLE IF EXISTS bench_copy")
  const medianMs = median(out.map((o) => o.ms))
  const rows = out[0]?.rows ?? 0
  return { runs: out, medianMs, rows, rowsPerSecond: rows / (medianMs / 1000) }
}

/** The SQL storage on PostgreSQL (a fresh database per run) or PGlite (in memory), `runs` times. */
export const measureSqlBackend = async (
  backend: "pg" | "pglite",
  pg: Postgres | undefined,
  dataset: Dataset,
  runs: number,
  gnuTime: boolean,
  scratch: string,
  memoryKeys: string,
  log: (line: string) => void,
  keepLast = false
): Promise<SqlBackendResult & { readonly kept?: KeptDatabase }> => {
  const keysFile = join(scratch, `${dataset.label}-${backend}.keys`)
  const out: Array<SqlRun> = []
  let kept: KeptDatabase | undefined
  for (let r = 0; r < runs; r++) {
    const database = `bench_${process.pid}_${r}`
    if (backend === "pg" && pg !== undefined) await psql(pg.url, `CREATE DATABASE ${database}`)
    const keep = keepLast && r === runs - 1 && backend === "pg" && pg !== undefined
    try {
      const env = backend === "pg" && pg !== undefined ? { DATABASE_URL: withDatabase(pg.url, database) } : {}
      const child = await runChild<SqlOutput>(SQL_RUN, [backend, dataset.dir, keysFile], gnuTime, env)
      const figures: SqlRun = { ...child.output, peakRssMiB: child.peakRssMiB }
      log(
        `  ${backend} run ${r + 1}/${runs}: import ${(figures.importMs / 1000).toFixed(1)} s, run ${(figures.runMs / 1000).toFixed(2)} s, refresh ${(figures.refreshMs / 1000).toFixed(2)} s`
      )
      out.push(figures)
      if (keep) {
        const server = pg.url
        kept = { url: withDatabase(server, database), drop: () => psql(server, `DROP DATABASE IF EXISTS ${database}`) }
      }
    } finally {
      if (!keep && backend === "pg" && pg !== undefined) await psql(pg.url, `DROP DATABASE IF EXISTS ${database}`)
    }
  }
  const result = { backend, runs: out, median: medianRun(out), check: await compareKeys(keysFile, memoryKeys) }
  return kept === undefined ? result : { ...result, kept }
}

/** A database left by the last SQL run (loaded and analysed) for the server measurement; dropped by the caller. */
export interface KeptDatabase {
  readonly url: string
  readonly drop: () => Promise<unknown>
}
