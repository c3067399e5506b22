import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { migrationsDir } from "../packageFiles.ts"

/**
 * The project's migrations, versioned files named `NNNN_name.sql`: the repository's `migrations/` folder, or its copy
 * in the published package.
 */
export const DEFAULT_MIGRATIONS_DIR = migrationsDir

const FILE_NAME = /^(\d+)_([^.]+)\.sql$/u

/** A dollar-quote tag ($$ or $name$) starting exactly at lastIndex. */
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/uy

/**
 * Splits a SQL script into statements at top-level semicolons. The wire driver speaks only the extended query
 * protocol, which takes one statement at a time. Quotes ('…', "…", E'…' escapes), dollar-quoted bodies ($$…$$,
 * $tag$…$tag$), line comments and nested block comments are skipped over, so semicolons inside them do not split.
 */
export const splitStatements = (script: string): ReadonlyArray<string> => {
  const statements: Array<string> = []
  let start = 0
  let i = 0
  const n = script.length
  const push = (end: number) => {
    const text = script.slice(start, end).trim()
    if (text.replace(/--[^\n]*/gu, "").trim().length > 0) statements.push(text)
  }
  while (i < n) {
    const c = script[i] as string
    const next = script[i + 1]
    if (c === "-" && next === "-") {
      const eol = script.indexOf("\n", i)
      i = eol === -1 ? n : eol + 1
    } else if (c === "/" && next === "*") {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (script[i] === "/" && script[i + 1] === "*") {
          depth++
          i += 2
        } else if (script[i] === "*" && script[i + 1] === "/") {
          depth--
          i += 2
        } else i++
      }
    } else if (c === "'" || c === '"') {
      // E'…' strings may escape a quote with a backslash; standard strings double it, which this loop also handles.
      const escapes = c === "'" && i > 0 && /[eE]/u.test(script[i - 1] as string)
      i++
      while (i < n) {
        if (escapes && script[i] === "\\") i += 2
        else if (script[i] === c) {
          i++
          break
        } else i++
      }
    } else if (c === "$") {
      DOLLAR_TAG.lastIndex = i
      const tag = DOLLAR_TAG.exec(script)
      if (tag === null) i++
      else {
        const close = script.indexOf(tag[0], i + tag[0].length)
        i = close === -1 ? n : close + tag[0].length
      }
    } else if (c === ";") {
      push(i)
      i++
      start = i
    } else i++
  }
  push(n)
  return statements
}

/** Runs a script's statements in order; the migrator wraps all pending migrations in one transaction. */
const runScript = (name: string, statements: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    for (const statement of statements) yield* sql.unsafe(statement).unprepared
  }).pipe(Effect.withSpan(`migration ${name}`))

/** The folder's `NNNN_name.sql` file names, in name order (other files are ignored). */
const migrationFiles = async (dir: string): Promise<ReadonlyArray<string>> =>
  (await readdir(dir)).filter((f) => FILE_NAME.test(f)).sort()

const cannotRead = (dir: string) => (cause: unknown) =>
  new Migrator.MigrationError({
    kind: "ImportError",
    message: `cannot read migrations from ${dir}: ${String(cause)}`,
    cause
  })

/** A migration loader over a folder of `NNNN_name.sql` files (other files are ignored). */
export const loadMigrationsFrom = (dir: string): Migrator.Loader =>
  Effect.tryPromise({
    try: async () => {
      const files = await migrationFiles(dir)
      const migrations: Array<Migrator.ResolvedMigration> = []
      for (const file of files) {
        const [, id, name] = FILE_NAME.exec(file) as RegExpExecArray
        const statements = splitStatements(await readFile(join(dir, file), "utf8"))
        migrations.push([Number(id), name as string, Effect.succeed(runScript(file, statements))])
      }
      return migrations.sort((a, b) => a[0] - b[0])
    },
    catch: cannotRead(dir)
  })

/** The highest id among the folder's migrations (0 when it has none), from the file names alone. */
const newestMigrationId = (dir: string) =>
  Effect.tryPromise({
    try: async () =>
      (await migrationFiles(dir)).reduce((max, file) => Math.max(max, Number(FILE_NAME.exec(file)?.[1])), 0),
    catch: cannotRead(dir)
  })

const migrate = Migrator.make({})

const TABLE = "schema_migrations"

/**
 * Whether the database has applied every migration of `dir`, read without a lock or a write. The migrator locks its
 * table exclusively (and would create it) even when nothing is pending, which a role that may only read cannot do:
 * `adalqarau findings` as a read-only role failed with "permission denied for table schema_migrations".
 */
const upToDate = (dir: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const exists = yield* sql<{ readonly found: boolean }>`SELECT to_regclass(${TABLE}) IS NOT NULL AS found`
    if (exists[0]?.found !== true) return false
    const latest = yield* sql<{ readonly id: number | null }>`SELECT max(migration_id) AS id FROM ${sql(TABLE)}`
    // File names only: reading and splitting every script at each start would be for nothing when none is pending.
    return (latest[0]?.id ?? 0) >= (yield* newestMigrationId(dir))
  })

/**
 * Applies the pending migrations of `dir` (default: the repository's `migrations/`). Every pending migration runs
 * in one transaction: a failure leaves the database as it was, and a second run applies nothing.
 * Returns the migrations applied. A database with nothing pending is only read, so a read-only role can use it.
 */
export const runMigrations = (dir: string = DEFAULT_MIGRATIONS_DIR) =>
  Effect.flatMap(upToDate(dir), (current) =>
    current
      ? Effect.succeed<ReadonlyArray<readonly [id: number, name: string]>>([])
      : migrate({ loader: loadMigrationsFrom(dir), table: TABLE })
  )
