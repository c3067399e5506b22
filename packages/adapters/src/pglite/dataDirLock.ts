import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { SqlError } from "effect/sql"

/** The file in a PGlite data folder that names the process holding it open. */
export const LOCK_FILE = "adalqarau.lock"

const errnoOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

/** Whether a process with this id runs (EPERM: it does, owned by someone else). */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoOf(error) === "EPERM"
  }
}

class HeldBy {
  readonly pid: number
  constructor(pid: number) {
    this.pid = pid
  }
}

/** The holder's process id; "gone" when the lock was released meanwhile, "invalid" when it names no process. */
const holderOf = async (path: string): Promise<number | "gone" | "invalid"> => {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : "invalid"
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return "gone"
    throw error
  }
}

const take = async (path: string): Promise<void> => {
  // The lock appears with its content or not at all: written beside it, then linked to its name (which fails if
  // the name exists), so no other process can read it empty.
  const draft = `${path}.${process.pid}`
  await writeFile(draft, `${process.pid}\n`)
  try {
    // Three tries at most: a lock of a process that is gone is removed, and one released meanwhile is retried.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draft, path)
        return
      } catch (error) {
        if (errnoOf(error) !== "EEXIST") throw error
        const holder = await holderOf(path)
        if (holder === "gone") continue
        // This process's own id counts as held: another PGlite of this process has the folder open.
        if (holder !== "invalid" && running(holder)) throw new HeldBy(holder)
        // Left by a process that is gone, or by no process: removed, then taken.
        await unlink(path).catch((e: unknown) => (errnoOf(e) === "ENOENT" ? undefined : Promise.reject(e)))
      }
    }
    throw new Error(`${path} kept changing hands`)
  } finally {
    await unlink(draft)
  }
}

/** A failure to open PGlite, as the SqlClient reports failures to connect. */
export const connectFailure = (message: string, cause: unknown): SqlError.SqlError =>
  new SqlError.SqlError({ reason: new SqlError.ConnectionError({ cause, message, operation: "connect" }) })

/**
 * Creates `dir` if needed and holds it for this process while the scope is open. PGlite lets two processes open
 * one data folder, each with its own buffers and WAL, and their writes corrupt it (the demo server and a CLI
 * import side by side would): the second one now fails, naming the first.
 */
export const lockDataDir = (dir: string): Effect.Effect<void, SqlError.SqlError, Scope.Scope> => {
  const path = join(dir, LOCK_FILE)
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true })
        await take(path)
      },
      catch: (cause) =>
        connectFailure(
          cause instanceof HeldBy
            ? `cannot open PGlite in ${dir}: process ${cause.pid} has it open (${path}); stop it first, or set DATABASE_URL to use PostgreSQL`
            : `cannot create or lock PGlite's folder ${dir}: ${String(cause)}`,
          cause
        )
    }),
    () =>
      Effect.tryPromise(() => unlink(path)).pipe(
        Effect.catch((error) => Effect.logWarning(`could not remove ${path}`, error))
      )
  )
}
