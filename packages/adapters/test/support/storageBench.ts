/**
 * Storage benchmark (not part of `pnpm test`): import of a generated dataset, re-import, full SQL indicator run,
 * an incremental refresh after changing about 1 % of the contracts, and the in-memory engine for comparison.
 *
 *   node packages/adapters/test/support/storageBench.ts pg 100000      (DATABASE_URL must point at a scratch database)
 *   node packages/adapters/test/support/storageBench.ts pglite 100000  (in memory)
 */
import { analyzeRecords } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import { layerPgFromConfig, layerStorage } from "../../src/postgres/Database.ts"
import { SqlImporter } from "../../src/postgres/PgImporter.ts"
import { SqlIndicatorEngine } from "../../src/postgres/PgIndicatorEngine.ts"
import { layerPglite } from "../../src/pglite/PgliteClient.ts"
import { acceptedRecords, generatedRecords, sourceItems } from "./engines.ts"
import { changeAboutOnePercent } from "./changes.ts"

const backend = process.argv[2] === "pg" ? "pg" : "pglite"
const contracts = Number(process.argv[3] ?? 100_000)
const batchSize = Number(process.argv[4] ?? 5_000)

const timed = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>, count?: (a: A) => number) =>
  Effect.gen(function* () {
    const start = performance.now()
    const result = yield* effect
    const ms = performance.now() - start
    const n = count?.(result)
    console.log(
      `${label}: ${(ms / 1000).toFixed(2)} s${n === undefined ? "" : `, ${n} rows, ${Math.round(n / (ms / 1000))} rows/s`}`
    )
    return result
  })

const program = Effect.gen(function* () {
  const items = yield* timed(
    `generate ${contracts} contracts`,
    sourceItems(generatedRecords(contracts, 7)),
    (x) => x.length
  )
  const importer = yield* SqlImporter
  const engine = yield* SqlIndicatorEngine
  yield* timed("import", importer.importSource(Stream.fromIterable(items), { batchSize }), (r) => r.total.read)
  yield* timed(
    "re-import (all unchanged)",
    importer.importSource(Stream.fromIterable(items), { batchSize }),
    (r) => r.total.read
  )
  const full = yield* timed("full SQL indicator run", engine.run())
  console.log(`  findings: ${full.findings}`)
  yield* timed("in-memory engine over the same records", analyzeRecords(acceptedRecords(items)))
  const changes = changeAboutOnePercent(acceptedRecords(items), 11)
  yield* timed(
    "import of ~1% changes",
    importer.importSource(Stream.fromIterable(changes), { batchSize }),
    (r) => r.total.read
  )
  const refresh = yield* timed("incremental refresh", engine.refresh())
  console.log(`  findings: ${refresh.findings}`)
  yield* timed("full run after the changes", engine.run())
})

const sqlLayer = backend === "pg" ? layerPgFromConfig : layerPglite()
await Effect.runPromise(program.pipe(Effect.provide(layerStorage(sqlLayer))))
