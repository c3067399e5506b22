import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { type ChildRun, runChild } from "./child.ts"
import type { Dataset } from "./datasets.ts"
import { ROOT } from "./paths.ts"
import { medianOf } from "./stats.ts"

/** One run of a system as its child process reported it, with the peak RSS read from outside. */
export interface RunFigures {
  readonly totalMs: number
  /** Reading and parsing the files (DuckDB: loading them into tables). */
  readonly readMs: number
  /** Everything after the data is in memory: indexing/deduplication and the five indicators. */
  readonly evaluateMs: number
  /** The in-memory engine's indexing (chains, plan sums) alone; 0 for DuckDB, whose SQL does it in `evaluateMs`. */
  readonly buildMs: number
  readonly wallMs: number
  readonly peakRssMiB: number
  readonly findings: number
}

export interface SystemResult {
  readonly system: string
  readonly description: string
  readonly runs: ReadonlyArray<RunFigures>
  /** Medians over the runs. */
  readonly median: RunFigures
  readonly keysFile: string
}

interface MemoryOutput {
  /** The fast path's line scanner: "native", "typescript", or why the native one was not used. */
  readonly scanner: string
  readonly readMs: number
  readonly buildMs: number
  readonly evaluateMs: number
  readonly totalMs: number
  readonly findings: number
  readonly maxRssKiB: number
}

interface DuckOutput {
  readonly version: string
  readonly loadMs: number
  readonly evaluateMs: number
  readonly totalMs: number
  readonly findings: number
  readonly maxRssKiB: number
}

const MEMORY_RUN = `${ROOT}bench/systems/memoryRun.ts`
const DUCKDB_RUN = `${ROOT}bench/systems/duckdbRun.ts`

const medianFigures = (runs: ReadonlyArray<RunFigures>): RunFigures => ({
  totalMs: medianOf(runs, (r) => r.totalMs),
  readMs: medianOf(runs, (r) => r.readMs),
  evaluateMs: medianOf(runs, (r) => r.evaluateMs),
  buildMs: medianOf(runs, (r) => r.buildMs),
  wallMs: medianOf(runs, (r) => r.wallMs),
  peakRssMiB: medianOf(runs, (r) => r.peakRssMiB),
  findings: medianOf(runs, (r) => r.findings)
})

const repeat = async <A>(
  runs: number,
  once: (run: number) => Promise<ChildRun<A>>,
  figures: (run: ChildRun<A>) => RunFigures,
  log: (line: string) => void,
  label: string
): Promise<Array<RunFigures>> => {
  const out: Array<RunFigures> = []
  for (let r = 0; r < runs; r++) {
    const result = figures(await once(r))
    log(`  ${label} run ${r + 1}/${runs}: ${(result.totalMs / 1000).toFixed(2)} s, ${result.peakRssMiB} MiB`)
    out.push(result)
  }
  return out
}

/**
 * The in-memory engine in a child process: `fast` (worker threads, straight into columns; the native line scanner
 * where built), `fast-ts` (the same with the TypeScript line scanner) or the `stream` path.
 */
export const measureMemory = async (
  dataset: Dataset,
  mode: "fast" | "fast-ts" | "stream",
  runs: number,
  threads: number | undefined,
  gnuTime: boolean,
  scratch: string,
  log: (line: string) => void
): Promise<SystemResult> => {
  const system =
    mode === "stream" ? "memory-stream" : mode === "fast-ts" ? "memory-ts" : threads === 0 ? "memory-1thread" : "memory"
  const keysFile = join(scratch, `${dataset.label}-${system}.keys`)
  const args = [dataset.dir, keysFile, mode, ...(threads === undefined ? [] : [String(threads)])]
  let scanner = ""
  const measured = await repeat(
    runs,
    () => runChild<MemoryOutput>(MEMORY_RUN, args, gnuTime),
    (run) => {
      scanner = run.output.scanner
      return {
        totalMs: run.output.totalMs,
        readMs: run.output.readMs,
        evaluateMs: run.output.buildMs + run.output.evaluateMs,
        buildMs: run.output.buildMs,
        wallMs: run.wallMs,
        peakRssMiB: run.peakRssMiB,
        findings: run.output.findings
      }
    },
    log,
    system
  )
  const lineScanner =
    scanner === "native" || scanner === "typescript"
      ? `${scanner} line scanner`
      : `typescript line scanner (native: ${scanner})`
  const readers = threads === undefined ? "one reader thread per core" : `${threads} reader threads`
  return {
    system,
    description:
      mode === "stream"
        ? "in-memory engine: generic path (jsonlFolderItems: records from bytes, else JSON.parse + decodeRecord → DatasetBuilder.add)"
        : threads === 0
          ? `in-memory engine: the same fast path read on the main thread alone (no reader threads; ${lineScanner})`
          : `in-memory engine: JSONL fast path (${mode === "fast" && threads === undefined ? "default: " : ""}${readers}, ${lineScanner}) → columnar dataset → 5 indicators`,
    runs: measured,
    median: medianFigures(measured),
    keysFile
  }
}

/** The reference: the five indicators as plain SQL in DuckDB over the same files. */
export const measureDuckdb = async (
  dataset: Dataset,
  runs: number,
  gnuTime: boolean,
  scratch: string,
  log: (line: string) => void
): Promise<SystemResult & { readonly version: string }> => {
  const keysFile = join(scratch, `${dataset.label}-duckdb.keys`)
  let version = ""
  const measured = await repeat(
    runs,
    () => runChild<DuckOutput>(DUCKDB_RUN, [dataset.dir, keysFile], gnuTime),
    (run) => {
      version = run.output.version
      return {
        totalMs: run.output.totalMs,
        readMs: run.output.loadMs,
        evaluateMs: run.output.evaluateMs,
        buildMs: 0,
        wallMs: run.wallMs,
        peakRssMiB: run.peakRssMiB,
        findings: run.output.findings
      }
    },
    log,
    "duckdb"
  )
  return {
    system: "duckdb",
    description: "reference: the 5 indicators as plain SQL in DuckDB (read_ndjson with explicit column types)",
    runs: measured,
    median: medianFigures(measured),
    keysFile,
    version
  }
}

export interface KeyCheck {
  readonly equal: boolean
  readonly left: number
  readonly right: number
  readonly onlyLeft: ReadonlyArray<string>
  readonly onlyRight: ReadonlyArray<string>
}

/** Compares two finding-key files (a benchmark of a wrong query proves nothing). */
export const compareKeys = async (leftFile: string, rightFile: string): Promise<KeyCheck> => {
  const read = async (file: string) => new Set((await readFile(file, "utf8")).split("\n").filter((k) => k !== ""))
  const left = await read(leftFile)
  const right = await read(rightFile)
  const onlyLeft = [...left].filter((k) => !right.has(k))
  const onlyRight = [...right].filter((k) => !left.has(k))
  return {
    equal: onlyLeft.length === 0 && onlyRight.length === 0,
    left: left.size,
    right: right.size,
    onlyLeft: onlyLeft.slice(0, 10),
    onlyRight: onlyRight.slice(0, 10)
  }
}
