/**
 * Another team's program over the published packages: the indicators in memory, the fast folder reader on worker
 * threads, and the SQL storage on an in-memory PGlite with the package's migrations. `examples/packaged.test.ts`
 * installs the packed tarballs into a fresh project and runs this file there with plain Node, which does not strip
 * types under node_modules, so it passes only if the packages ship JavaScript, declarations, workers and migrations.
 *
 *   node consumer.ts FOLDER   (a folder of OWS-shaped JSONL files, e.g. from `adalqarau generate`)
 */
import { analyzeJsonlFolder } from "@adalqarau/adapters/files"
import { layerPglite } from "@adalqarau/adapters/pglite"
import { importFolder, layerStorage } from "@adalqarau/adapters/postgres"
import {
  type AnalysisDataset,
  analyzeRecords,
  type ContractColumnsView,
  decodeRecord,
  type Finding,
  IndicatorEngine
} from "@adalqarau/core"
import type { DatasetPlan, TimeSpan } from "@adalqarau/core/testing"
import { Effect } from "effect"

// The types of public fields can be named, as a custom indicator or a test helper would.
export const tableOf = (dataset: AnalysisDataset): ContractColumnsView => dataset.table
export const spanOf = (plan: DatasetPlan): TimeSpan => plan.span

const folder = process.argv[2]
if (folder === undefined) throw new Error("usage: node consumer.ts FOLDER")

const decoded = decodeRecord("contract", { id: 1, crdate: "not a date" })
const rejection: string = decoded.ok ? "" : decoded.rejection.text

const program = Effect.gen(function* () {
  const none = yield* analyzeRecords([])
  const findings: ReadonlyArray<Finding> = none.findings
  // Two reader threads even for a small folder: their entry module must be found in the package.
  const memory = yield* analyzeJsonlFolder(folder, { threads: 2, threadsFrom: 0 })
  const stored = yield* Effect.gen(function* () {
    // `threadFrom: 0`: the import's reader thread too.
    const imported = yield* importFolder(folder, { threadFrom: 0 })
    const engine = yield* IndicatorEngine
    const run = yield* engine.run({})
    return { read: imported.total.read, rejected: imported.total.rejected, findings: run.findings }
  }).pipe(Effect.provide(layerStorage(layerPglite())))
  return {
    rejection,
    emptyFindings: findings.length,
    memory: {
      read: memory.input.total.read,
      rejected: memory.input.total.rejected,
      findings: memory.findings.length
    },
    stored
  }
})

console.log(JSON.stringify(await Effect.runPromise(program)))
