/** Command-line options of `pnpm bench`. */
export interface BenchArgs {
  /** Root contracts per dataset, in the order measured. */
  readonly sizes: ReadonlyArray<number>
  readonly seed: number
  readonly runs: number
  /** Reader threads of the in-memory engine's fast path (undefined: its default). */
  readonly threads: number | undefined
  /** Also measure the generic path (analyzeStream over jsonlFolderItems) up to this size. */
  readonly streamUpTo: number
  /** Measure the SQL storage (PostgreSQL, PGlite) up to this size; 0 skips it. */
  readonly sqlUpTo: number
  /** Runs of the SQL storage per size up to 100k; one run above (each run imports the whole dataset). */
  readonly sqlRuns: number
  /** Measure PGlite up to this size (in-process WASM: slower, and bounded by its memory). */
  readonly pgliteUpTo: number
  /** PostgreSQL server for the SQL measurements; from DATABASE_URL too; else a throwaway cluster is started. */
  readonly databaseUrl: string | undefined
  /** Measure the server's findings page on each size's PostgreSQL database (off with --no-server). */
  readonly server: boolean
  /** Skip writing docs/benchmarks.md (results JSON only). */
  readonly noDocs: boolean
}

export const USAGE = `pnpm bench [--sizes 100k,1m] [--15m] [--runs 3] [--seed 1] [--threads N] [--stream-up-to 1m]
           [--sql-up-to 100k] [--sql-runs N] [--pglite-up-to 100k] [--database-url postgres://…]
           [--no-server] [--no-docs]
       pnpm bench --report-only   (re-render docs/benchmarks.md from bench/results/latest.json)

  --sizes         datasets to measure, in root contracts (k and m suffixes); default 100k,1m
  --15m           add the 15M-contract dataset (about 36 GB of JSONL and 20 minutes to generate)
  --runs          runs per measurement; the median is reported (default 3)
  --seed          generator seed (default 1)
  --threads       reader threads of the in-memory engine (default: its own, the cores up to 4)
  --stream-up-to  also time the generic record-stream path up to this size (default 1m; 0 to skip)
  --sql-up-to     measure PostgreSQL and PGlite (import, full run, refresh) up to this size (default 100k; 0 skips)
  --sql-runs      runs of the SQL storage per size up to 100k (default: --runs); one run above
  --pglite-up-to  measure PGlite up to this size (default 100k)
  --database-url  PostgreSQL for the SQL measurements (default: DATABASE_URL, else a throwaway local cluster)
  --no-server     skip the server's findings page under autocannon (run on each PostgreSQL-measured size)
  --no-docs       write bench/results only`

/** "100k" → 100000, "1m" → 1000000, "15M" → 15000000, "2500" → 2500. */
export const parseSize = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/iu.exec(text.trim())
  if (match === null) throw new Error(`not a size: ${JSON.stringify(text)} (use e.g. 100k, 1m, 2500)`)
  const unit = (match[2] ?? "").toLowerCase()
  const value = Number(match[1]) * (unit === "k" ? 1_000 : unit === "m" ? 1_000_000 : 1)
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`not a whole positive size: ${text}`)
  return value
}

/** 100000 → "100k", 1000000 → "1m", 15000000 → "15m". */
export const sizeLabel = (contracts: number): string =>
  contracts % 1_000_000 === 0
    ? `${contracts / 1_000_000}m`
    : contracts % 1_000 === 0
      ? `${contracts / 1_000}k`
      : String(contracts)

const positiveInt = (flag: string, text: string | undefined): number => {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${flag} needs a whole number, got ${text}`)
  return value
}

export const parseArgs = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): BenchArgs => {
  let sizes = [100_000, 1_000_000]
  let with15m = false
  let seed = 1
  let runs = 3
  let threads: number | undefined
  let streamUpTo = 1_000_000
  let sqlUpTo = 100_000
  let sqlRuns: number | undefined
  let pgliteUpTo = 100_000
  let databaseUrl = env.DATABASE_URL
  let noDocs = false
  let server = true
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${flag} needs a value`)
      return next
    }
    switch (flag) {
      case "--sizes":
        sizes = value().split(",").map(parseSize)
        break
      case "--15m":
        with15m = true
        break
      case "--seed":
        seed = positiveInt(flag, value())
        break
      case "--runs":
        runs = Math.max(1, positiveInt(flag, value()))
        break
      case "--threads":
        threads = positiveInt(flag, value())
        break
      case "--stream-up-to":
        streamUpTo = value() === "0" ? 0 : parseSize(argv[i] as string)
        break
      case "--sql-up-to":
        sqlUpTo = value() === "0" ? 0 : parseSize(argv[i] as string)
        break
      case "--sql-runs":
        sqlRuns = Math.max(1, positiveInt(flag, value()))
        break
      case "--pglite-up-to":
        pgliteUpTo = value() === "0" ? 0 : parseSize(argv[i] as string)
        break
      case "--database-url":
        databaseUrl = value()
        break
      case "--no-docs":
        noDocs = true
        break
      case "--no-server":
        server = false
        break
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`)
    }
  }
  if (with15m && !sizes.includes(15_000_000)) sizes = [...sizes, 15_000_000]
  return {
    sizes,
    seed,
    runs,
    threads,
    streamUpTo,
    sqlUpTo,
    sqlRuns: sqlRuns ?? runs,
    pgliteUpTo,
    databaseUrl,
    server,
    noDocs
  }
}
