/**
 * PGlite data-folder dumps the test files start from: initdb takes PGlite 8–18 s, loading a dump about 1 s.
 * Two dumps are kept in node_modules/.cache, keyed by the PGlite version and the migrations' content: a fresh
 * database ("empty", for the migration tests) and a migrated one ("migrated", for everything else).
 */
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { PGlite } from "@electric-sql/pglite"
import { Effect } from "effect"
import { Reactivity } from "effect/reactivity"
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from "../../src/postgres/migrations.ts"
import { makePgliteClient } from "../../src/pglite/PgliteClient.ts"
import { SqlClient } from "effect/sql"

const CACHE_DIR = fileURLToPath(new URL("../../../../node_modules/.cache/adalqarau/", import.meta.url))

export interface PgliteTemplates {
  readonly empty: string
  readonly migrated: string
}

const fingerprint = async (): Promise<string> => {
  const hash = createHash("sha256")
  const pkg = JSON.parse(
    await readFile(
      fileURLToPath(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url)),
      "utf8"
    )
  ) as { version: string }
  hash.update(pkg.version)
  for (const file of (await readdir(DEFAULT_MIGRATIONS_DIR)).sort()) {
    hash.update(file)
    hash.update(await readFile(join(DEFAULT_MIGRATIONS_DIR, file)))
  }
  return hash.digest("hex").slice(0, 16)
}

const writeAtomically = async (path: string, blob: Blob): Promise<void> => {
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, new Uint8Array(await blob.arrayBuffer()))
  await rename(temp, path)
}

/** The paths of the two dumps, building them when the cache has none for this PGlite and these migrations. */
export const pgliteTemplates = async (): Promise<PgliteTemplates> => {
  const key = await fingerprint()
  const empty = join(CACHE_DIR, `pglite-empty-${key}.tar`)
  const migrated = join(CACHE_DIR, `pglite-migrated-${key}.tar`)
  if (existsSync(empty) && existsSync(migrated)) return { empty, migrated }
  await mkdir(CACHE_DIR, { recursive: true })
  const db = await PGlite.create()
  try {
    await writeAtomically(empty, await db.dumpDataDir("none"))
    await Effect.runPromise(
      Effect.gen(function* () {
        const client = yield* makePgliteClient(db)
        yield* runMigrations().pipe(Effect.provideService(SqlClient.SqlClient, client))
      }).pipe(Effect.provide(Reactivity.layer))
    )
    await writeAtomically(migrated, await db.dumpDataDir("none"))
  } finally {
    await db.close()
  }
  return { empty, migrated }
}

/** A dump as PGlite's `loadDataDir` takes it. */
export const loadTemplate = async (path: string): Promise<Blob> => new Blob([new Uint8Array(await readFile(path))])
