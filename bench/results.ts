import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import type { BenchArgs } from "./args.ts"
import type { Dataset } from "./datasets.ts"
import type { Machine } from "./machine.ts"
import type { KeyCheck, SystemResult } from "./measure.ts"
import type { ServerResult } from "./server.ts"
import type { CopyResult, SqlBackendResult } from "./sql.ts"

/** Everything one `pnpm bench` run measured: the JSON written to bench/results/ for comparing runs. */
export interface BenchResults {
  readonly format: 1
  readonly startedAt: string
  finishedAt: string
  readonly args: BenchArgs
  readonly machine: Machine
  readonly sizes: Array<SizeResult>
  targets: ReadonlyArray<TargetVerdict>
}

export interface SizeResult {
  readonly dataset: Dataset
  readonly systems: ReadonlyArray<SystemResult>
  readonly duckdbVersion: string
  /** Finding keys compared between systems: name → check. */
  readonly checks: Readonly<Record<string, KeyCheck>>
  /** The SQL storage (import, full run, refresh), or why it was not measured at this size. */
  readonly sql: SqlResult
  /** The server's findings page under load, on the PostgreSQL database of this size's last SQL run. */
  readonly server: ServerResult | { readonly status: "not measured"; readonly reason: string }
}

export type SqlResult =
  | {
      readonly status: "measured"
      readonly copy: CopyResult
      readonly pg: SqlBackendResult
      readonly pglite: SqlBackendResult | undefined
    }
  | { readonly status: "not measured"; readonly reason: string }

export interface TargetVerdict {
  readonly target: string
  readonly status: "reached" | "not reached" | "not measured"
  readonly measured: string
  readonly gap: string
}

const IN_MEMORY_SECONDS = 3
/** 1.5 GB as decimal gigabytes, in MiB (the stricter reading of "GB"). */
const IN_MEMORY_RSS_MIB = 1.5e9 / 2 ** 20
const DUCKDB_FACTOR = 2

const systemOf = (size: SizeResult | undefined, name: string): SystemResult | undefined =>
  size?.systems.find((s) => s.system === name)

/** The issue's targets, each reached or not with its gap, from the measured medians. */
/** A `pnpm bench:scale` result (bench/scale.ts): PostgreSQL at a size too large for the JSONL bench here. */
export interface ScaleResult {
  readonly at: string
  readonly file: string
  readonly contracts: number
  readonly records: number
  readonly versions: number
  readonly databaseBytes: number
  /** Null when the run reused a database an earlier bench:scale filled (`--reuse`). */
  readonly importMs: number | null
  readonly runMs: number
  readonly changedRecords: number
  readonly changeImportMs: number
  readonly refreshMs: number
}

/** The newest scale result of 15M contracts or more in bench/results, if any. */
export const latestScaleResult = async (dir: string): Promise<ScaleResult | undefined> => {
  const files = (await readdir(dir)).filter((f) => /^scale-.*\.json$/u.test(f)).sort()
  for (const file of files.reverse()) {
    const result = JSON.parse(await readFile(join(dir, file), "utf8")) as Omit<ScaleResult, "file">
    if (result.contracts >= 15_000_000) return { ...result, file }
  }
  return undefined
}

export const judgeTargets = (sizes: ReadonlyArray<SizeResult>, scale?: ScaleResult): ReadonlyArray<TargetVerdict> => {
  const at1m = sizes.find((s) => s.dataset.contracts === 1_000_000)
  const memory = systemOf(at1m, "memory")
  const duckdb = systemOf(at1m, "duckdb")
  const notAt1m = "1M contracts not in --sizes"
  const verdicts: Array<TargetVerdict> = []
  if (memory === undefined) {
    verdicts.push({
      target: "In-memory engine: 1M contracts ≤ 3 s",
      status: "not measured",
      measured: notAt1m,
      gap: ""
    })
    verdicts.push({
      target: "In-memory engine: ≤ 1.5 GB RSS at 1M",
      status: "not measured",
      measured: notAt1m,
      gap: ""
    })
  } else {
    const seconds = memory.median.totalMs / 1000
    verdicts.push({
      target: "In-memory engine: 1M contracts ≤ 3 s",
      status: seconds <= IN_MEMORY_SECONDS ? "reached" : "not reached",
      measured: `${seconds.toFixed(2)} s (evaluation alone ${(memory.median.evaluateMs / 1000).toFixed(2)} s)`,
      gap:
        seconds <= IN_MEMORY_SECONDS
          ? `${(IN_MEMORY_SECONDS - seconds).toFixed(2)} s to spare`
          : `${(seconds - IN_MEMORY_SECONDS).toFixed(2)} s over (${(seconds / IN_MEMORY_SECONDS).toFixed(2)}× the target)`
    })
    const rss = memory.median.peakRssMiB
    verdicts.push({
      target: "In-memory engine: ≤ 1.5 GB RSS at 1M",
      status: rss <= IN_MEMORY_RSS_MIB ? "reached" : "not reached",
      measured: `${rss} MiB peak RSS`,
      gap:
        rss <= IN_MEMORY_RSS_MIB
          ? `${Math.round(IN_MEMORY_RSS_MIB - rss)} MiB to spare`
          : `${Math.round(rss - IN_MEMORY_RSS_MIB)} MiB over`
    })
  }
  if (memory === undefined || duckdb === undefined) {
    verdicts.push({
      target: "In-memory engine within 2× of DuckDB",
      status: "not measured",
      measured: notAt1m,
      gap: ""
    })
  } else {
    const ratio = memory.median.totalMs / duckdb.median.totalMs
    verdicts.push({
      target: "In-memory engine within 2× of DuckDB",
      status: ratio <= DUCKDB_FACTOR ? "reached" : "not reached",
      measured: `${ratio.toFixed(2)}× DuckDB's time at 1M (${(memory.median.totalMs / 1000).toFixed(2)} s vs ${(duckdb.median.totalMs / 1000).toFixed(2)} s)`,
      gap: ratio <= DUCKDB_FACTOR ? "within" : `${(ratio - DUCKDB_FACTOR).toFixed(2)}× over`
    })
  }
  verdicts.push(...sqlTargets(sizes, scale))
  verdicts.push(serverTarget(sizes))
  return verdicts
}

const SERVER_P99_MS = 25
const SERVER_REQUESTS_PER_SECOND = 2_000

/** The server target, from the largest size it was measured at (50 connections). */
const serverTarget = (sizes: ReadonlyArray<SizeResult>): TargetVerdict => {
  const target = "Server: findings page p99 ≤ 25 ms at 50 connections, ≥ 2,000 requests/s"
  const measured = [...sizes].reverse().find((s) => s.server.status === "measured")
  const server = measured?.server
  if (measured === undefined || server === undefined || server.status !== "measured") {
    const last = sizes[sizes.length - 1]?.server
    return { target, status: "not measured", measured: last?.status === "not measured" ? last.reason : "", gap: "" }
  }
  const at50 = server.server.find((f) => f.connections === 50)
  const bare50 = server.bare.find((f) => f.connections === 50)
  const distinct50 = server.distinct?.find((f) => f.connections === 50)
  if (at50 === undefined) return { target, status: "not measured", measured: "no run at 50 connections", gap: "" }
  const fastEnough = at50.p99Ms <= SERVER_P99_MS
  const busyEnough = at50.requestsPerSecond >= SERVER_REQUESTS_PER_SECOND
  const gaps = [
    ...(fastEnough ? [] : [`p99 ${(at50.p99Ms / SERVER_P99_MS).toFixed(1)}× the limit`]),
    ...(busyEnough ? [] : [`${(SERVER_REQUESTS_PER_SECOND / at50.requestsPerSecond).toFixed(1)}× short of the rate`])
  ]
  return {
    target,
    status: fastEnough && busyEnough ? "reached" : "not reached",
    measured:
      `${measured.dataset.label}: p50 ${at50.p50Ms} ms, p99 ${at50.p99Ms} ms, ${Math.round(at50.requestsPerSecond).toLocaleString("en-US")} requests/s` +
      (distinct50 === undefined
        ? ""
        : ` (distinct pages, none cached: p99 ${distinct50.p99Ms} ms, ${Math.round(distinct50.requestsPerSecond).toLocaleString("en-US")} requests/s)`) +
      (bare50 === undefined
        ? ""
        : ` (bare node:http handler with the same query: p99 ${bare50.p99Ms} ms, ${Math.round(bare50.requestsPerSecond).toLocaleString("en-US")} requests/s)`),
    gap: gaps.length === 0 ? "within" : gaps.join("; ")
  }
}

const PG_1M_SECONDS = 10
const PG_15M_SECONDS = 180
const REFRESH_SECONDS = 10
const IMPORT_CONTRACTS_PER_SECOND = 100_000
const IMPORT_SHARE_OF_COPY = 0.5

/** The PostgreSQL targets, from the largest size the SQL storage was measured at. */
const sqlTargets = (sizes: ReadonlyArray<SizeResult>, scale: ScaleResult | undefined): Array<TargetVerdict> => {
  const measured = sizes.flatMap((s) => (s.sql.status === "measured" ? [{ size: s, sql: s.sql }] : []))
  const largest = measured[measured.length - 1]
  const at = (contracts: number) => measured.find((m) => m.size.dataset.contracts === contracts)
  const reasonAt = (contracts: number, label: string): string => {
    const size = sizes.find((s) => s.dataset.contracts === contracts)
    if (size?.sql.status === "not measured") return `not measured at ${label}: ${size.sql.reason}`
    return `not measured at ${label}: not in --sizes`
  }
  const smaller =
    largest === undefined
      ? ""
      : ` (at ${largest.size.dataset.label}: run ${(largest.sql.pg.median.runMs / 1000).toFixed(2)} s, refresh ${(largest.sql.pg.median.refreshMs / 1000).toFixed(2)} s after ${largest.sql.pg.median.changedRecords} changed records)`
  const out: Array<TargetVerdict> = []
  const pg1m = at(1_000_000)
  const pg15m = at(15_000_000)
  const runTarget = "Indicator run in PostgreSQL: 1M ≤ 10 s; 15M ≤ 3 min"
  if (pg1m === undefined && pg15m === undefined) {
    out.push({ target: runTarget, status: "not measured", measured: `${reasonAt(1_000_000, "1M")}${smaller}`, gap: "" })
  } else {
    const parts: Array<string> = []
    let reached = true
    let gap = ""
    if (pg1m !== undefined) {
      const s = pg1m.sql.pg.median.runMs / 1000
      parts.push(`1M: ${s.toFixed(2)} s`)
      if (s > PG_1M_SECONDS) {
        reached = false
        gap += `1M ${(s - PG_1M_SECONDS).toFixed(2)} s over (${(s / PG_1M_SECONDS).toFixed(1)}× the target)`
      }
    } else parts.push(reasonAt(1_000_000, "1M"))
    const run15m =
      pg15m !== undefined
        ? { seconds: pg15m.sql.pg.median.runMs / 1000, source: "" }
        : scale !== undefined
          ? { seconds: scale.runMs / 1000, source: ` (pnpm bench:scale, ${scale.file})` }
          : undefined
    if (run15m !== undefined) {
      const s = run15m.seconds
      parts.push(`15M: ${s.toFixed(1)} s${run15m.source}`)
      if (s > PG_15M_SECONDS) {
        reached = false
        gap += `${gap === "" ? "" : "; "}15M ${(s - PG_15M_SECONDS).toFixed(1)} s over (${(s / PG_15M_SECONDS).toFixed(1)}×)`
      }
    } else parts.push("15M: not measured (pass --15m --sql-up-to 15m, or run pnpm bench:scale)")
    out.push({
      target: runTarget,
      status: run15m === undefined && reached ? "not measured" : reached ? "reached" : "not reached",
      measured: parts.join("; "),
      gap: gap === "" ? (reached ? "1M within" : "") : gap
    })
  }
  const refresh15m =
    pg15m !== undefined
      ? { seconds: pg15m.sql.pg.median.refreshMs / 1000, changed: pg15m.sql.pg.median.changedRecords, source: "" }
      : scale !== undefined
        ? {
            seconds: scale.refreshMs / 1000,
            changed: scale.changedRecords,
            source: ` (import of the changes ${(scale.changeImportMs / 1000).toFixed(1)} s; pnpm bench:scale, ${scale.file})`
          }
        : undefined
  out.push({
    target: "Incremental refresh after 10k changes on 15M ≤ 10 s",
    status:
      refresh15m === undefined ? "not measured" : refresh15m.seconds <= REFRESH_SECONDS ? "reached" : "not reached",
    measured:
      refresh15m === undefined
        ? `${reasonAt(15_000_000, "15M")}${smaller}`
        : `${refresh15m.seconds.toFixed(2)} s after ${refresh15m.changed} changed records${refresh15m.source}`,
    gap:
      refresh15m === undefined || refresh15m.seconds <= REFRESH_SECONDS
        ? ""
        : `${(refresh15m.seconds / REFRESH_SECONDS).toFixed(1)}× the limit`
  })
  if (largest === undefined) {
    out.push({
      target: "Import: ≥ 100k contract rows/s and ≥ 50 % of psql \\copy",
      status: "not measured",
      measured: reasonAt(sizes[0]?.dataset.contracts ?? 0, "any size"),
      gap: ""
    })
  } else {
    const pg = largest.sql.pg.median
    const share = pg.recordsPerSecond / largest.sql.copy.rowsPerSecond
    const fast = pg.contractsPerSecond >= IMPORT_CONTRACTS_PER_SECOND
    const enough = share >= IMPORT_SHARE_OF_COPY
    out.push({
      target: "Import: ≥ 100k contract rows/s and ≥ 50 % of psql \\copy",
      status: fast && enough ? "reached" : "not reached",
      measured:
        `at ${largest.size.dataset.label}: ${Math.round(pg.contractsPerSecond).toLocaleString("en-US")} contract rows/s ` +
        `(${Math.round(pg.recordsPerSecond).toLocaleString("en-US")} records/s of every kind) = ` +
        `${(share * 100).toFixed(1)} % of psql \\copy (${Math.round(largest.sql.copy.rowsPerSecond).toLocaleString("en-US")} rows/s)`,
      gap:
        `${fast ? "rows/s within" : `${(IMPORT_CONTRACTS_PER_SECOND / pg.contractsPerSecond).toFixed(1)}× too slow`}; ` +
        `${enough ? "share within" : `${((IMPORT_SHARE_OF_COPY - share) * 100).toFixed(1)} points short of 50 %`}`
    })
  }
  return out
}
