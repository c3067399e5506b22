import { open, readFile, unlink } from "node:fs/promises"
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

const take = async (path: string): Promise<void> => {
  // Twice at most: a lock left by a process that is gone is removed once, then taken.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx")
      try {
        await file.writeFile(`${process.pid}\n`)
      } finally {
        await file.close()
      }
      return
    } catch (error) {
      if (errnoOf(error) !== "EEXIST") throw error
      const holder = Number.parseInt((await readFile(path, "utf8")).trim(), 10)
      // This process's own id counts as held: another PGlite of this process has the folder open.
      if (Number.isSafeInteger(holder) && holder > 0 && running(holder)) throw new HeldBy(holder)
      await unlink(path)
    }
  }
  throw new Error(`${path} was taken again while a stale lock was removed`)
}

/**
 * Holds `dir` for this process while the scope is open. PGlite lets two processes open one data folder, each with
 * its own buffers and WAL, and their writes corrupt it (the demo server and a CLI import side by side would): the
 * second one now fails, naming the first.
 */
export const lockDataDir = (dir: string): Effect.Effect<void, SqlError.SqlError, Scope.Scope> => {
  const path = join(dir, LOCK_FILE)
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: () => take(path),
      catch: (cause) =>
        new SqlError.SqlError({
          reason: new SqlError.ConnectionError({
            cause,
            message:
              cause instanceof HeldBy
                ? `cannot open PGlite in ${dir}: process ${cause.pid} has it open (${path}); stop it first, or set DATABASE_URL to use PostgreSQL`
                : `cannot lock PGlite's folder ${dir}: ${String(cause)}`,
            operation: "connect"
          })
        })
    }),
    () =>
      Effect.tryPromise(() => unlink(path)).pipe(
        Effect.catch((error) => Effect.logWarning(`could not remove ${path}`, error))
      )
  )
}
