/**
 * Test databases: a fresh PostgreSQL database per test file on the throwaway cluster that globalSetup started
 * (or on DATABASE_URL when set), and a fresh in-memory PGlite per test file.
 */
import { randomBytes } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { Reactivity } from "effect/reactivity"
import type { SqlClient, SqlError } from "effect/sql"
import { inject } from "vitest"
import { layerPglite, type PgliteDatabase } from "../../src/pglite/PgliteClient.ts"
import { loadTemplate } from "./pgliteTemplate.ts"
import type {} from "./provided.ts"

/** The cluster tests may create databases on, or undefined (then the PostgreSQL suites are skipped). */
export const pgAdminUrl = (): string | undefined => process.env.DATABASE_URL ?? inject("pgAdminUrl") ?? undefined

const withDatabase = (adminUrl: string, name: string) => {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

const admin = (adminUrl: string, statement: (sql: PgClient.PgClient) => Effect.Effect<unknown, SqlError.SqlError>) =>
  Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 }), statement)).pipe(
    Effect.provide(Reactivity.layer)
  )

/** A PostgreSQL database created for the scope and dropped when it closes; its URL. */
export const pgTestDatabaseUrl = (adminUrl: string) =>
  Effect.gen(function* () {
    const name = `aq_test_${randomBytes(6).toString("hex")}`
    yield* Effect.acquireRelease(
      admin(adminUrl, (sql) => sql`CREATE DATABASE ${sql(name)}`),
      () => Effect.orDie(admin(adminUrl, (sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`))
    )
    return withDatabase(adminUrl, name)
  })

/**
 * A PostgreSQL database created for this layer and dropped when it is released, so test files can run in
 * parallel on one cluster.
 */
export const layerPgTestDatabase = (
  adminUrl: string,
  maxConnections = 4
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError.SqlError> =>
  Layer.unwrap(
    Effect.map(pgTestDatabaseUrl(adminUrl), (url) => PgClient.layer({ url: Redacted.make(url), maxConnections }))
  )

/** A fresh in-memory PGlite, from the migrated dump (or the empty one) that globalSetup prepared. */
export const layerPgliteTestDatabase = (
  template: "migrated" | "empty" = "migrated"
): Layer.Layer<SqlClient.SqlClient | PgliteDatabase, SqlError.SqlError> =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => loadTemplate(inject(template === "migrated" ? "pgliteMigrated" : "pgliteEmpty"))),
      (blob) => layerPglite({ loadDataDir: blob })
    )
  )

export interface Backend {
  readonly name: "postgres" | "pglite"
  /** A new, empty database ("empty": not even migrated). */
  readonly layer: (template?: "migrated" | "empty") => Layer.Layer<SqlClient.SqlClient, SqlError.SqlError>
}

/** The backends available on this machine: PGlite always, PostgreSQL when a cluster is. */
export const backends = (): ReadonlyArray<Backend> => {
  const url = pgAdminUrl()
  const list: Array<Backend> = [{ name: "pglite", layer: layerPgliteTestDatabase }]
  if (url !== undefined) list.unshift({ name: "postgres", layer: () => layerPgTestDatabase(url) })
  return list
}
