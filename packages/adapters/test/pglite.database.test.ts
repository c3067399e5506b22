/**
 * The embedded default: with no DATABASE_URL, DatabaseLive runs the same adapters on PGlite in
 * $ADALQARAU_DATA_DIR/pglite, and what was stored there is still there the next time; with DATABASE_URL set it
 * is PostgreSQL.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ContractStore, FindingStore, IndicatorEngine } from "@adalqarau/core"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { inject } from "vitest"
import { DatabaseLive, pgliteDirOf } from "../src/pglite/index.ts"
import { layerPglite } from "../src/pglite/PgliteClient.ts"
import { layerStorage } from "../src/postgres/Database.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { pgAdminUrl, pgTestDatabaseUrl } from "./support/databases.ts"
import { edgeCaseRecords } from "./support/edgeCases.ts"
import { allFindings, sourceItems } from "./support/engines.ts"
import { loadTemplate } from "./support/pgliteTemplate.ts"

const withEnv = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env }))

const dataDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "aq-data-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("DatabaseLive", () => {
  it.live("with no DATABASE_URL: PGlite in ADALQARAU_DATA_DIR, persistent across runs", () =>
    Effect.gen(function* () {
      const dir = yield* dataDir
      // The first run starts from the migrated dump (initdb alone takes PGlite 8–18 s).
      const template = yield* Effect.promise(() => loadTemplate(inject("pgliteMigrated")))
      const stored = yield* Effect.gen(function* () {
        const importer = yield* SqlImporter
        yield* importer.importSource(Stream.fromIterable(yield* sourceItems(edgeCaseRecords())))
        yield* (yield* IndicatorEngine).run()
        return { counts: yield* (yield* ContractStore).count, findings: yield* allFindings() }
      }).pipe(Effect.provide(layerStorage(layerPglite({ dataDir: pgliteDirOf(dir), loadDataDir: template }))))
      assert.isAbove(stored.findings.length, 0)

      const reopened = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const version = yield* sql<{ v: string }>`SELECT version() AS v`
        assert.include(version[0]?.v, "PGlite")
        const store = yield* FindingStore
        const page = yield* store.query({ limit: 10_000 })
        return { counts: yield* (yield* ContractStore).count, findings: page.findings }
      }).pipe(Effect.provide(DatabaseLive.pipe(Layer.provide(withEnv({ ADALQARAU_DATA_DIR: dir })))))
      assert.deepStrictEqual(reopened, stored)
    }).pipe(Effect.scoped)
  )

  const adminUrl = pgAdminUrl()
  it.live.skipIf(adminUrl === undefined)("with DATABASE_URL: PostgreSQL, migrated at start", () =>
    Effect.gen(function* () {
      const url = yield* pgTestDatabaseUrl(adminUrl as string)
      const result = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const migrations = yield* sql<{ n: unknown }>`SELECT count(*)::int AS n FROM schema_migrations`
        const version = yield* sql<{ v: string }>`SELECT version() AS v`
        return {
          embedded: version[0]?.v.includes("PGlite"),
          migrations: Number(migrations[0]?.n),
          counts: yield* (yield* ContractStore).count
        }
      }).pipe(Effect.provide(DatabaseLive.pipe(Layer.provide(withEnv({ DATABASE_URL: url, PG_MAX_CONNECTIONS: "2" })))))
      assert.isFalse(result.embedded)
      assert.isAtLeast(result.migrations, 3)
      assert.strictEqual(result.counts.contract, 0)
    }).pipe(Effect.scoped)
  )
})
