import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { sizeLabel } from "./args.ts"
import { CACHE_DIR, CLI, ROOT } from "./paths.ts"

const run = promisify(execFile)

const GENERATOR_DIR = `${ROOT}packages/core/src/testing/generator`
const MARKER = "bench-dataset.json"
const JSONL_FILES = [
  "contracts.jsonl",
  "contract_units.jsonl",
  "lots.jsonl",
  "treasury_payments.jsonl",
  "subjects.jsonl"
]

export interface Dataset {
  readonly label: string
  readonly contracts: number
  readonly seed: number
  readonly dir: string
  /** Records by file and in total, as the generator reported them. */
  readonly records: number
  readonly bytes: number
  readonly generatedMs: number
  /** Whether this run generated it (else it came from the cache). */
  readonly fresh: boolean
}

interface Marker {
  readonly key: string
  readonly records: number
  readonly bytes: number
  readonly generatedMs: number
}

const sourceFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)])))
  )
  return nested.flat().sort()
}

/** A key of what makes the data: the options and the generator's source (a changed generator regenerates). */
const datasetKey = async (contracts: number, seed: number): Promise<string> => {
  const hash = createHash("sha256").update(JSON.stringify({ contracts, seed }))
  for (const file of await sourceFiles(GENERATOR_DIR)) hash.update(file).update(await readFile(file))
  return hash.digest("hex").slice(0, 16)
}

const readMarker = async (dir: string): Promise<Marker | undefined> => {
  try {
    return JSON.parse(await readFile(join(dir, MARKER), "utf8")) as Marker
  } catch {
    return undefined
  }
}

/**
 * The dataset of `contracts` root contracts and `seed`, from `.cache/bench/<size>-seed<seed>/` when it is there and
 * was made by the same generator; otherwise generated with `adalqarau generate` (the project's CLI) first.
 */
export const ensureDataset = async (contracts: number, seed: number, log: (line: string) => void): Promise<Dataset> => {
  const label = sizeLabel(contracts)
  const dir = `${CACHE_DIR}/${label}-seed${seed}`
  const key = await datasetKey(contracts, seed)
  const cached = await readMarker(dir)
  if (cached?.key === key) {
    return {
      label,
      contracts,
      seed,
      dir,
      records: cached.records,
      bytes: cached.bytes,
      generatedMs: cached.generatedMs,
      fresh: false
    }
  }
  log(`generating ${label} contracts (seed ${seed}) into ${dir} …`)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const started = performance.now()
  const { stdout } = await run(
    process.execPath,
    [CLI, "generate", "--contracts", String(contracts), "--seed", String(seed), "--out", dir, "--json"],
    { maxBuffer: 1 << 24 }
  )
  const generatedMs = Math.round(performance.now() - started)
  const summary = JSON.parse(stdout) as { readonly records: number }
  let bytes = 0
  for (const file of JSONL_FILES) bytes += (await stat(join(dir, file))).size
  const marker: Marker = { key, records: summary.records, bytes, generatedMs }
  await writeFile(join(dir, MARKER), `${JSON.stringify(marker, null, 2)}\n`)
  return { label, contracts, seed, dir, records: summary.records, bytes, generatedMs, fresh: true }
}
