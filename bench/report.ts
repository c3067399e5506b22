import { readFile } from "node:fs/promises"
import { ROOT } from "./paths.ts"
import type { LoadFigures } from "./server.ts"
import type { BenchResults, SizeResult } from "./results.ts"
import type { SqlBackendResult } from "./sql.ts"

const NOTES = `${ROOT}bench/notes.md`

const seconds = (ms: number): string => (ms / 1000).toFixed(2)
const count = (n: number): string => n.toLocaleString("en-US")
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : "–")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const align = header.map((h, i) => (i === 0 || h.endsWith(" ") ? "---" : "--:"))
  return [header, align, ...rows].map((cells) => `| ${cells.map((c) => c.trim()).join(" | ")} |`).join("\n")
}

const sizeSection = (size: SizeResult, runs: number): string => {
  const d = size.dataset
  const duckdb = size.systems.find((s) => s.system === "duckdb")
  const rows = size.systems.map((s) => [
    `\`${s.system}\` ${s.description}`,
    seconds(s.median.totalMs),
    seconds(s.median.readMs),
    seconds(s.median.evaluateMs),
    String(s.median.peakRssMiB),
    count(s.median.findings),
    duckdb === undefined ? "–" : ratio(s.median.totalMs, duckdb.median.totalMs),
    duckdb === undefined ? "–" : ratio(s.median.evaluateMs, duckdb.median.evaluateMs)
  ])
  const checks = Object.entries(size.checks).map(([name, c]) =>
    c.equal
      ? `- finding keys, ${name}: **equal** (${count(c.left)} keys)`
      : `- finding keys, ${name}: **DIFFERENT** (${count(c.left)} vs ${count(c.right)}; only left: ${c.onlyLeft.join(", ")}; only right: ${c.onlyRight.join(", ")})`
  )
  return [
    `### ${d.label} contracts (${count(d.records)} records, ${(d.bytes / 2 ** 20).toFixed(0)} MiB of JSONL, seed ${d.seed})`,
    "",
    table(
      [
        "system ",
        "total s",
        "read s",
        "evaluation s",
        "peak RSS MiB",
        "findings",
        "total ÷ DuckDB",
        "evaluation ÷ DuckDB"
      ],
      rows
    ),
    "",
    `Medians of ${runs} runs, each in a fresh child process. ${d.fresh ? `Generated in this run (${seconds(d.generatedMs)} s).` : "Dataset from the cache."}`,
    "",
    ...checks,
    ""
  ].join("\n")
}

/** docs/benchmarks.md: the numbers and ratios, the targets, the machine, what is not measured and what was tried. */
export const renderReport = async (results: BenchResults, resultsFile: string): Promise<string> => {
  const m = results.machine
  const notes = await readFile(NOTES, "utf8").catch(() => "")
  return [
    "# Benchmarks",
    "",
    `Written by \`pnpm bench\` (${results.startedAt} – ${results.finishedAt}); the raw figures are in`,
    `[${resultsFile}](../${resultsFile}) and \`bench/results/latest.json\`. Issue 5 sets the targets.`,
    "",
    "## Machine",
    "",
    table(
      ["", "value "],
      [
        ["CPU", `${m.cpuModel}, ${m.cores} cores`],
        ["memory", `${m.memoryGiB} GiB`],
        ["kernel", m.kernel],
        ["Node.js", m.node],
        ["PostgreSQL", m.postgres],
        ["DuckDB", m.duckdb],
        ["load average at start (1, 5, 15 min)", m.loadAtStart.join(", ")],
        ["load average at end", m.loadAtEnd.join(", ")],
        ["peak RSS measured by", m.rssMethod]
      ]
    ),
    "",
    "The machine is shared with other test runs: a load average above the core count means the figures below",
    "include waiting for a core. Medians damp that; they do not remove it.",
    "",
    "## Full indicator run",
    "",
    "*total* is reading the JSONL folder plus evaluating; *read* is reading and parsing (DuckDB: loading the",
    "columns into tables); *evaluation* is everything after the data is in memory (in-memory engine: indexing the",
    "chains, plan sums and payments, then the five indicators; DuckDB: deduplication, chain keys and the five",
    "queries). Ratios are to DuckDB's median.",
    "",
    ...results.sizes.map((s) => sizeSection(s, results.args.runs)),
    "## Targets (issue 5)",
    "",
    table(
      ["target ", "measured ", "status ", "gap "],
      results.targets.map((t) => [t.target, t.measured, t.status === "reached" ? "**reached**" : t.status, t.gap])
    ),
    "",
    "## SQL storage: import, full run, incremental refresh",
    "",
    "PostgreSQL 15 (a throwaway local cluster with fsync off unless `--database-url` is given; a fresh database per",
    "run) and PGlite (in process, in memory), through the project's adapters: `SqlImporter.importFolder` (as the",
    "CLI: batches of 5000 prepared on a reader thread, set-based writes, two batches at once on PostgreSQL, quarantine of rejects),",
    "`SqlIndicatorEngine.run` (full run),",
    "then about 1 % of the contracts changed (the storage tests' change set), imported, and `refresh` against a",
    "full `run`. The anchor is `psql \\copy` of the same lines into a one-column table (no parsing at all).",
    "",
    ...results.sizes.map(sqlSection),
    "## Server: the findings page under load",
    "",
    "`adalqarau serve` over the PostgreSQL database of the size's last SQL run (loaded and analysed), signed in as",
    "an admin, `GET /api/v1/findings?limit=50` (the first page in key order) under autocannon for 10 s per",
    "connection count after a 3 s warm-up; beside it a bare `node:http` handler running the store's same query",
    "(`PgFindingStore`, same pool of 5 connections) with no routing, authentication, validation or logging.",
    "autocannon, the server and PostgreSQL share the two cores. The server keeps finding pages, users and verified",
    "tokens in memory until PostgreSQL announces a change (docs/server.md), so the same page again is served",
    "without a query; the *distinct pages* rows cycle through every finding key as `afterKey` times 20 page sizes,",
    "more pages than the cache holds, so every page is read from PostgreSQL (the bare handler queries every time).",
    "",
    ...results.sizes.flatMap(serverSection),
    ...notMeasuredLines(results),
    notes.trim(),
    ""
  ].join("\n")
}

const sqlSection = (size: SizeResult): string => {
  const d = size.dataset
  if (size.sql.status === "not measured") return `### ${d.label} contracts\n\nNot measured: ${size.sql.reason}.\n`
  const { copy, pg, pglite } = size.sql
  const row = (name: string, r: SqlBackendResult["median"]): ReadonlyArray<string> => [
    name,
    seconds(r.importMs),
    count(Math.round(r.recordsPerSecond)),
    count(Math.round(r.contractsPerSecond)),
    `${((r.recordsPerSecond / copy.rowsPerSecond) * 100).toFixed(1)} %`,
    seconds(r.runMs),
    `${seconds(r.refreshMs)} (${count(r.changedRecords)} records, import ${seconds(r.changeImportMs)})`,
    seconds(r.recomputeMs),
    String(r.peakRssMiB)
  ]
  return [
    `### ${d.label} contracts`,
    "",
    table(
      [
        "system ",
        "import s",
        "records/s",
        "contract rows/s",
        "of \\copy",
        "full run s",
        "refresh s ",
        "full recompute s",
        "client peak RSS MiB"
      ],
      [
        [
          "`psql \\copy` (anchor)",
          seconds(copy.medianMs),
          count(Math.round(copy.rowsPerSecond)),
          "–",
          "100 %",
          "–",
          "–",
          "–",
          "–"
        ],
        row("PostgreSQL 15", pg.median),
        ...(pglite === undefined ? [] : [row("PGlite (in process)", pglite.median)])
      ]
    ),
    "",
    `${pg.runs.length === 1 ? "One run" : `Medians of ${pg.runs.length} runs`}` +
      `${pglite === undefined ? "; PGlite is measured only up to --pglite-up-to (in-process WASM)" : ""}. ` +
      "The client's peak RSS includes the dataset's records, held to make the change set; the server's is not counted.",
    ""
  ].join("\n")
}

const serverSection = (size: SizeResult): ReadonlyArray<string> => {
  const server = size.server
  if (server.status !== "measured") return []
  const row = (who: string, f: LoadFigures, bare: LoadFigures | undefined) => [
    who,
    String(f.connections),
    `${f.p50Ms} ms`,
    `${f.p99Ms} ms`,
    count(Math.round(f.requestsPerSecond)),
    bare === undefined ? "–" : ratio(f.requestsPerSecond, bare.requestsPerSecond)
  ]
  const bareAt = (n: number) => server.bare.find((b) => b.connections === n)
  return [
    `### ${size.dataset.label} contracts`,
    "",
    table(
      ["", "connections", "p50", "p99", "requests/s", "vs bare"],
      [
        ...server.server.map((f) => row("server (REST, signed in), the same first page", f, bareAt(f.connections))),
        ...(server.distinct ?? []).map((f) =>
          row(
            `server, ${count(server.distinctPages ?? 0)} distinct pages in turn (none cached)`,
            f,
            bareAt(f.connections)
          )
        ),
        ...server.bare.map((f) => row("bare node:http, same query, first page", f, undefined))
      ]
    ),
    ""
  ]
}

const notMeasuredLines = (results: BenchResults): ReadonlyArray<string> => {
  const lines = results.sizes.flatMap((s) => [
    ...(s.sql.status === "not measured" ? [`- SQL storage at ${s.dataset.label}: ${s.sql.reason}.`] : []),
    ...(s.server.status === "not measured" ? [`- Server at ${s.dataset.label}: ${s.server.reason}.`] : [])
  ])
  return lines.length === 0 ? [] : ["## Not measured", "", ...lines, ""]
}
