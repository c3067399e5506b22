import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os"
import { promisify } from "node:util"
import { ROOT } from "./paths.ts"

const run = promisify(execFile)

export interface Machine {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly kernel: string
  readonly node: string
  readonly postgres: string
  readonly duckdb: string
  /** 1, 5 and 15-minute load averages when the run started and when it ended (the machine is shared). */
  readonly loadAtStart: ReadonlyArray<number>
  loadAtEnd: ReadonlyArray<number>
  /** How peak RSS was measured. */
  readonly rssMethod: string
}

/** The first line a command prints, or why it could not run. */
const firstLine = async (file: string, args: ReadonlyArray<string>): Promise<string> => {
  try {
    const { stdout } = await run(file, [...args])
    return stdout.split("\n")[0]?.trim() ?? ""
  } catch (cause) {
    return `not available (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)})`
  }
}

const duckdbVersion = async (): Promise<string> => {
  try {
    const pkg = JSON.parse(await readFile(`${ROOT}node_modules/@duckdb/node-api/package.json`, "utf8")) as {
      version: string
    }
    return `@duckdb/node-api ${pkg.version}`
  } catch (cause) {
    return `not installed (${cause instanceof Error ? cause.message : String(cause)})`
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100

export const describeMachine = async (rssMethod: string): Promise<Machine> => ({
  cpuModel: cpus()[0]?.model ?? "unknown",
  cores: availableParallelism(),
  memoryGiB: round2(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  postgres: await firstLine(`${(await firstLine(`${ROOT}scripts/pg-bin.sh`, [])) || "(none)"}/postgres`, ["--version"]),
  duckdb: await duckdbVersion(),
  loadAtStart: loadavg().map(round2),
  loadAtEnd: [],
  rssMethod
})

export const loadNow = (): ReadonlyArray<number> => loadavg().map(round2)
