/**
 * `pnpm bench:scale [--contracts 15m] [--seed 1] [--changes 10000] [--database-url postgres://…] [--reuse]`
 *
 * The PostgreSQL storage at a size whose JSONL folder would not fit beside its database on this machine (15M
 * contracts: about 36 GB of files and 45 GB of tables): the project generator's records imported straight from its
 * stream through `SqlImporter` (a bulk load into an empty database), the full indicator run, then `--changes`
 * stored contract versions changed as a newer export would (sums, suppliers, financial years), imported and
 * refreshed incrementally. Progress goes to stderr; the result is one JSON line on stdout and a file in
 * bench/results/ (scale-<time>.json). Without --database-url (or DATABASE_URL) a throwaway local cluster is used.
 *
 * `--reuse` measures again on a database an earlier `bench:scale` of the same size filled (a 15M import takes
 * half an hour): the import is skipped (the migrations of newer code still run, which is itself measured as
 * `migrateMs`), then the full run, the changes and the refresh as usual. Each reuse changes the same versions
 * again, one day newer.
 */
import { mkdir, writeFile } from "node:fs/promises"
import {
  layerPgFromConfig,
  layerStorage,
  runMigrations,
  SqlImporter,
  SqlIndicatorEngine
} from "@adalqarau/adapters/postgres"
import {
  accepted,
  type Bin,
  type Contract,
  type ContractId,
  ContractStore,
  decodeRecord,
  type Instant,
  locateRejection,
  type ProcurementRecord,
  rejected,
  type SourceItem,
  type Tiyn
} from "@adalqarau/core"
import { type GeneratedRecord, generateStream } from "@adalqarau/core/testing"
import { Effect, Option, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { parseSize, sizeLabel } from "./args.ts"
import { describeMachine } from "./machine.ts"
import { RESULTS_DIR } from "./paths.ts"
import { openPostgres } from "./sql.ts"

const USAGE = `pnpm bench:scale [--contracts 15m] [--seed 1] [--changes 10000] [--database-url postgres://…] [--reuse]

  --contracts     root contracts to generate and import (k and m suffixes; default 15m)
  --seed          generator seed (default 1)
  --changes       stored contract versions changed before the refresh (default 10000)
  --database-url  PostgreSQL to fill (default: DATABASE_URL, else a throwaway local cluster)
  --reuse         measure again on a database an earlier bench:scale of the same size filled (needs a database URL)`

const VALUED = new Set(["--contracts", "--seed", "--changes", "--database-url"])
const argv = process.argv.slice(2)
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
// A mistyped flag would otherwise start a half-hour 15M run with the defaults.
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] ?? ""
  if (VALUED.has(arg) && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith("--")) i++
  else if (arg !== "--reuse") {
    process.stderr.write(
      `bench:scale: ${VALUED.has(arg) ? `${arg} needs a value` : `unknown argument ${arg}`}\n${USAGE}\n`
    )
    process.exit(2)
  }
}
const flag = (name: string): string | undefined => {
  const at = argv.indexOf(`--${name}`)
  return at === -1 ? undefined : argv[at + 1]
}
const wholeNumber = (name: string, fallback: string): number => {
  const text = flag(name) ?? fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`bench:scale: --${name} must be a whole number, not ${text}\n`)
    process.exit(2)
  }
  return value
}
const contracts = parseSize(flag("contracts") ?? "15m")
const seed = wholeNumber("seed", "1")
const changeCount = wholeNumber("changes", "10000")
const reuse = argv.includes("--reuse")
const sourceLabel = `generated ${sizeLabel(contracts)}`
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, ms: performance.now() - started }
  })

/** The generator's records as the importer's items, with a progress line every million. */
const generatedItems = (): Stream.Stream<SourceItem> => {
  let seen = 0
  const started = performance.now()
  return generateStream({ contracts, seed }).pipe(
    Stream.filter((item): item is GeneratedRecord => item.kind !== "label"),
    Stream.map((item): SourceItem => {
      if (++seen % 1_000_000 === 0) {
        const seconds = (performance.now() - started) / 1000
        log(
          `  ${(seen / 1e6).toFixed(0)}M records in ${seconds.toFixed(0)} s (${Math.round(seen / seconds)} records/s)`
        )
      }
      const decoded = decodeRecord(item.kind, item.raw)
      return decoded.ok ? accepted(decoded.value) : rejected(locateRejection(decoded.rejection, "generated"))
    })
  )
}

const DAY = 86_400_000

/**
 * `count` stored versions spread over the id range, changed as a later export would change them: most get a new
 * sum, one in five another supplier (taken from another sampled version), one in five the next financial year
 * (a partition move); all a newer `last_update_date`, so the importer takes them.
 */
const changedVersions = (count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const store = yield* ContractStore
    const bounds = yield* sql<{ readonly n: number }>`SELECT count(*)::int AS n FROM contract_chain`
    const step = Math.max(1, Math.floor((bounds[0]?.n ?? 0) / count))
    const ids = yield* sql<{ readonly id: string }>`
      SELECT contract_id::text AS id FROM contract_chain WHERE contract_id % ${step} = 0 ORDER BY contract_id
      LIMIT ${count}`
    const versions: Array<Contract> = []
    for (const row of ids) {
      const found = yield* store.getContract(Number(row.id) as ContractId)
      if (Option.isSome(found)) versions.push(found.value)
    }
    const suppliers = versions.flatMap((c) => (c.supplierBin === null ? [] : [c.supplierBin]))
    return versions.map((c, i): ProcurementRecord => {
      const updated = ((c.lastUpdateDate ?? c.crdate) + DAY) as Instant
      const base = { ...c, lastUpdateDate: updated }
      const value: Contract =
        i % 5 === 3 && suppliers.length > 1
          ? { ...base, supplierBin: suppliers[(i * 7919) % suppliers.length] as Bin }
          : i % 5 === 4 && c.finYear !== null
            ? { ...base, finYear: c.finYear + 1 }
            : {
                ...base,
                contractSumWnds:
                  c.contractSumWnds === null ? null : ((c.contractSumWnds + Math.floor(c.contractSumWnds / 13)) as Tiyn)
              }
      return { kind: "contract", value }
    })
  })

/** The records an earlier bench:scale imported into this database, or a failure when it holds no such import. */
const earlierImport = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly source: string; readonly records: string | null }>`
    SELECT source, (SELECT sum(read)::text FROM import_batch b WHERE b.source = ${sourceLabel}) AS records
    FROM import_batch ORDER BY id LIMIT 1`
  const first = rows[0]
  if (first === undefined || first.source !== sourceLabel || first.records === null) {
    return yield* Effect.fail(
      new Error(`--reuse: the database's first import is ${first?.source ?? "missing"}, not "${sourceLabel}"`)
    )
  }
  return Number(first.records)
})

const program = (migrateMs: number | null) =>
  Effect.gen(function* () {
    const importer = yield* SqlImporter
    const engine = yield* SqlIndicatorEngine
    const sql = yield* SqlClient.SqlClient
    let records: number
    let importMs: number | null = null
    if (reuse) {
      records = yield* earlierImport
      log(`reusing the database's import of ${sizeLabel(contracts)} contracts (${records} records); full run …`)
    } else {
      log(`importing ${sizeLabel(contracts)} generated contracts (seed ${seed}) …`)
      const imported = yield* timed(importer.importSource(generatedItems(), { source: sourceLabel }))
      records = imported.value.total.read
      importMs = imported.ms
      log(`  imported ${records} records in ${(imported.ms / 1000).toFixed(1)} s; full run …`)
    }
    const stored = yield* sql<{ readonly n: number; readonly bytes: string }>`
      SELECT (SELECT count(*)::int FROM contract_chain) AS n, pg_database_size(current_database())::text AS bytes`
    const full = yield* timed(engine.run())
    log(`  full run ${(full.ms / 1000).toFixed(1)} s, ${full.value.findings} findings; ${changeCount} changes …`)
    const changes = yield* changedVersions(changeCount)
    const changed = yield* timed(
      importer.importSource(Stream.fromIterable(changes.map(accepted)), { source: "changes" })
    )
    const refresh = yield* timed(engine.refresh())
    log(`  change import ${(changed.ms / 1000).toFixed(2)} s, refresh ${(refresh.ms / 1000).toFixed(2)} s`)
    return {
      contracts,
      seed,
      reused: reuse,
      migrateMs,
      records,
      versions: stored[0]?.n ?? 0,
      databaseBytes: Number(stored[0]?.bytes ?? 0),
      importMs,
      recordsPerSecond: importMs === null ? null : records / (importMs / 1000),
      runMs: full.ms,
      findings: full.value.findings,
      changedRecords: changed.value.total.read,
      changedUpdated: changed.value.total.updated,
      changeImportMs: changed.ms,
      refreshMs: refresh.ms,
      refreshMode: refresh.value.mode,
      refreshFindings: refresh.value.findings,
      clientMaxRssKiB: process.resourceUsage().maxRSS
    }
  })

const databaseUrl = flag("database-url") ?? process.env.DATABASE_URL
if (reuse && databaseUrl === undefined) {
  throw new Error("--reuse measures an existing database: pass --database-url (or DATABASE_URL)")
}
const postgres = await openPostgres(databaseUrl, log)
try {
  const machine = await describeMachine("process.resourceUsage (this process only; the server is not counted)")
  process.env.DATABASE_URL = postgres.url
  // Migrations first and on their own, so that what newer code does to a reused database is measured apart.
  const migrated = await Effect.runPromise(timed(runMigrations()).pipe(Effect.provide(layerPgFromConfig)))
  if (migrated.value.length > 0) {
    log(`  migrations ${migrated.value.map(([id]) => id).join(", ")} in ${(migrated.ms / 1000).toFixed(1)} s`)
  }
  const migrateMs = reuse && migrated.value.length > 0 ? migrated.ms : null
  const result = await Effect.runPromise(program(migrateMs).pipe(Effect.provide(layerStorage(layerPgFromConfig))))
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/gu, "-")
    .replace(/-\d+Z$/u, "Z")
  await mkdir(RESULTS_DIR, { recursive: true })
  const line = JSON.stringify({ kind: "scale", at: new Date().toISOString(), machine, ...result })
  await writeFile(`${RESULTS_DIR}/scale-${stamp}.json`, `${line}\n`)
  console.log(line)
} finally {
  await postgres.stop()
}
