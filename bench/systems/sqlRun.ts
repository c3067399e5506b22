/**
 * Child process of `pnpm bench`: the SQL storage on one fresh database — import of a JSONL folder, the full SQL
 * indicator run, then about 1 % of the contracts changed, imported and refreshed incrementally, against a full
 * recompute. Prints one JSON line and writes the full run's sorted finding keys to a file.
 *
 *   node bench/systems/sqlRun.ts pg|pglite DIR KEYS_FILE     (pg: DATABASE_URL names an empty scratch database)
 */
import { writeFileSync } from "node:fs"
import { jsonlFolderItems } from "@adalqarau/adapters/files"
import { layerPglite } from "@adalqarau/adapters/pglite"
import { layerPgFromConfig, layerStorage, SqlImporter, SqlIndicatorEngine } from "@adalqarau/adapters/postgres"
import type { ProcurementRecord } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { changeAboutOnePercent } from "../../packages/adapters/test/support/changes.ts"

const [backend, dir, keysFile] = process.argv.slice(2)
if ((backend !== "pg" && backend !== "pglite") || dir === undefined || keysFile === undefined) {
  throw new Error("usage: sqlRun.ts pg|pglite DIR KEYS_FILE")
}

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, ms: performance.now() - started }
  })

const program = Effect.gen(function* () {
  const importer = yield* SqlImporter
  const engine = yield* SqlIndicatorEngine
  const sql = yield* SqlClient.SqlClient
  // As the CLI imports a folder: read and prepared on a reader thread.
  const imported = yield* timed(importer.importFolder(dir))
  const full = yield* timed(engine.run())
  const keys = (yield* sql<{ readonly key: string }>`SELECT key FROM finding ORDER BY key`).map((r) => r.key)
  writeFileSync(keysFile, `${[...keys].sort().join("\n")}\n`)

  // The same deterministic ~1 % change set as the storage tests, made from the dataset's records.
  const records: Array<ProcurementRecord> = []
  yield* Stream.runForEach(jsonlFolderItems(dir), (item) =>
    Effect.sync(() => {
      if (item._tag === "Accepted") records.push(item.record)
    })
  )
  const contracts = records.filter((r) => r.kind === "contract").length
  const changes = changeAboutOnePercent(records, 11)
  const changed = yield* timed(importer.importSource(Stream.fromIterable(changes), { source: "changes" }))
  const refresh = yield* timed(engine.refresh())
  const recompute = yield* timed(engine.run())
  return {
    backend,
    importMs: imported.ms,
    records: imported.value.total.read,
    contracts,
    recordsPerSecond: imported.value.total.read / (imported.ms / 1000),
    contractsPerSecond: contracts / (imported.ms / 1000),
    runMs: full.ms,
    findings: full.value.findings,
    changedRecords: changed.value.total.read,
    changeImportMs: changed.ms,
    refreshMs: refresh.ms,
    recomputeMs: recompute.ms,
    refreshFindings: refresh.value.findings,
    recomputeFindings: recompute.value.findings
  }
})

const sqlLayer = backend === "pg" ? layerPgFromConfig : layerPglite()
const result = await Effect.runPromise(program.pipe(Effect.provide(layerStorage(sqlLayer))))
console.log(JSON.stringify({ ...result, maxRssKiB: process.resourceUsage().maxRSS }))
