/**
 * `pnpm bench`: generates (or reuses) the datasets, measures the in-memory engine against DuckDB running the same
 * five indicators as SQL — checking that both give the same finding keys —, measures the SQL storage (PostgreSQL,
 * PGlite) against psql \\copy and the server's findings page under load against a bare node:http handler, and
 * writes bench/results/<timestamp>.json, bench/results/latest.json and docs/benchmarks.md. See `pnpm bench --help`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs, sizeLabel, USAGE } from "./args.ts"
import { hasGnuTime } from "./child.ts"
import { ensureDataset } from "./datasets.ts"
import { describeMachine, loadNow } from "./machine.ts"
import { compareKeys, measureDuckdb, measureMemory, type SystemResult } from "./measure.ts"
import { DOCS_FILE, RESULTS_DIR } from "./paths.ts"
import { renderReport } from "./report.ts"
import { type BenchResults, judgeTargets, latestScaleResult, type SizeResult, type SqlResult } from "./results.ts"
import { measureServer } from "./server.ts"
import {
  type KeptDatabase,
  measureCopy,
  measureSqlBackend,
  openPostgres,
  type Postgres,
  type SqlBackendResult
} from "./sql.ts"

const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

const main = async (argv: ReadonlyArray<string>): Promise<void> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE)
    return
  }
  if (argv.includes("--report-only")) {
    // Re-renders docs/benchmarks.md from the last results (after editing bench/notes.md, say): no measuring.
    const results = JSON.parse(await readFile(join(RESULTS_DIR, "latest.json"), "utf8")) as BenchResults
    results.targets = judgeTargets(results.sizes, await latestScaleResult(RESULTS_DIR))
    const stamp = results.startedAt.replaceAll(":", "-").replace(/\.\d+Z$/u, "Z")
    await writeFile(DOCS_FILE, await renderReport(results, `bench/results/${stamp}.json`))
    return
  }
  const args = parseArgs(argv, process.env)
  const gnuTime = await hasGnuTime()
  const machine = await describeMachine(
    gnuTime
      ? "GNU time (/usr/bin/time -f %M) around each child process"
      : "the child's process.resourceUsage().maxRSS (GNU time is not installed: apt-get install time)"
  )
  const startedAt = new Date()
  const results: BenchResults = {
    format: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    args,
    machine,
    sizes: [],
    targets: []
  }
  const scratch = await mkdtemp(join(tmpdir(), "adalqarau-bench-keys-"))
  let postgres: Postgres | undefined
  try {
    for (const contracts of args.sizes) {
      log(`\n== ${sizeLabel(contracts)} contracts (load ${loadNow().join(", ")})`)
      const dataset = await ensureDataset(contracts, args.seed, log)
      const systems: Array<SystemResult> = []
      const memory = await measureMemory(dataset, "fast", args.runs, args.threads, gnuTime, scratch, log)
      systems.push(memory)
      const duckdb = await measureDuckdb(dataset, args.runs, gnuTime, scratch, log)
      systems.push(duckdb)
      const checks: Record<string, Awaited<ReturnType<typeof compareKeys>>> = {
        "memory = duckdb": await compareKeys(memory.keysFile, duckdb.keysFile)
      }
      if (args.threads !== 0) {
        const single = await measureMemory(dataset, "fast", args.runs, 0, gnuTime, scratch, log)
        systems.push(single)
        checks["memory-1thread = memory"] = await compareKeys(single.keysFile, memory.keysFile)
      }
      const typescript = await measureMemory(dataset, "fast-ts", args.runs, args.threads, gnuTime, scratch, log)
      systems.push(typescript)
      checks["memory-ts = memory"] = await compareKeys(typescript.keysFile, memory.keysFile)
      if (contracts <= args.streamUpTo) {
        const stream = await measureMemory(dataset, "stream", args.runs, undefined, gnuTime, scratch, log)
        systems.push(stream)
        checks["memory-stream = memory"] = await compareKeys(stream.keysFile, memory.keysFile)
      }
      let sql: SqlResult
      let keptDatabase: KeptDatabase | undefined
      if (contracts > args.sqlUpTo) {
        sql = {
          status: "not measured",
          reason:
            `the SQL storage was measured up to ${args.sqlUpTo === 0 ? "no size" : sizeLabel(args.sqlUpTo)} in this ` +
            `run (pass --sql-up-to ${sizeLabel(contracts)}; each run imports the whole dataset)`
        }
      } else {
        postgres ??= await openPostgres(args.databaseUrl, log)
        const sqlRuns = contracts <= 100_000 ? args.sqlRuns : 1
        const copy = await measureCopy(postgres, dataset, sqlRuns)
        log(`  psql \\copy: ${copy.rows} rows in ${(copy.medianMs / 1000).toFixed(2)} s`)
        const { kept, ...pg } = await measureSqlBackend(
          "pg",
          postgres,
          dataset,
          sqlRuns,
          gnuTime,
          scratch,
          memory.keysFile,
          log,
          args.server
        )
        checks["postgres = memory"] = pg.check
        keptDatabase = kept
        let pglite: SqlBackendResult | undefined
        if (contracts <= args.pgliteUpTo) {
          pglite = await measureSqlBackend(
            "pglite",
            undefined,
            dataset,
            sqlRuns,
            gnuTime,
            scratch,
            memory.keysFile,
            log
          )
          checks["pglite = memory"] = pglite.check
        }
        sql = { status: "measured", copy, pg, pglite }
      }
      let server: SizeResult["server"]
      if (keptDatabase === undefined) {
        server = {
          status: "not measured",
          reason: args.server
            ? `it runs on the PostgreSQL database of the SQL measurement, not made at ${dataset.label} (--sql-up-to)`
            : "--no-server"
        }
      } else {
        try {
          log(`  server findings page on the ${dataset.label} database …`)
          server = await measureServer(keptDatabase.url, log)
        } finally {
          await keptDatabase.drop()
        }
      }
      const size: SizeResult = { dataset, systems, duckdbVersion: duckdb.version, checks, sql, server }
      for (const [name, check] of Object.entries(checks)) {
        log(`  finding keys ${name}: ${check.equal ? "equal" : "DIFFERENT"} (${check.left} / ${check.right})`)
      }
      results.sizes.push(size)
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
    await postgres?.stop()
  }
  machine.loadAtEnd = loadNow()
  results.finishedAt = new Date().toISOString()
  results.targets = judgeTargets(results.sizes, await latestScaleResult(RESULTS_DIR))

  await mkdir(RESULTS_DIR, { recursive: true })
  const stamp = startedAt
    .toISOString()
    .replaceAll(":", "-")
    .replace(/\.\d+Z$/u, "Z")
  const resultsFile = `bench/results/${stamp}.json`
  const json = `${JSON.stringify(results, null, 2)}\n`
  await writeFile(join(RESULTS_DIR, `${stamp}.json`), json)
  await writeFile(join(RESULTS_DIR, "latest.json"), json)
  if (!args.noDocs) await writeFile(DOCS_FILE, await renderReport(results, resultsFile))
  for (const t of results.targets) log(`${t.status.padEnd(12)} ${t.target}: ${t.measured} ${t.gap}`)
  const mismatch = results.sizes.some((s) => Object.values(s.checks).some((c) => !c.equal))
  if (mismatch) {
    log("\nFinding keys differ between systems: the figures above compare different computations.")
    process.exitCode = 1
  }
}

await main(process.argv.slice(2))
