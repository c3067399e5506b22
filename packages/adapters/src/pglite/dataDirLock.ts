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

/** The locks this process holds: a lock naming this process's id and not among them is an earlier process's. */
const heldHere = new Set<string>()

/**
 * Whether the lock's holder is alive. Its own process id counts only when this process holds the lock: a server
 * that is PID 1 in a container, killed and started again, is PID 1 again, and the lock it left is stale.
 */
const alive = (path: string, holder: number | "invalid"): holder is number =>
  holder !== "invalid" && (holder === process.pid ? heldHere.has(path) : running(holder))

const ignoreGone = (e: unknown): Promise<void> => (errnoOf(e) === "ENOENT" ? Promise.resolve() : Promise.reject(e))

/**
 * Removes a stale lock, unless another process does first. Two processes can find the same stale lock; without a
 * referee, one could remove the lock the other has just taken, and both would hold the folder. The one that creates
 * the takeover mark removes the stale lock (if it is still the one found); the other tries again.
 */
const removeStale = async (path: string, found: number | "invalid"): Promise<void> => {
  const mark = `${path}.takeover`
  try {
    await writeFile(mark, `${process.pid}\n`, { flag: "wx" })
  } catch (error) {
    if (errnoOf(error) !== "EEXIST") throw error
    // A mark left by a process that died in the middle of a takeover is itself stale.
    const referee = await holderOf(mark)
    if (referee !== "gone" && !alive(mark, referee)) await unlink(mark).catch(ignoreGone)
    return
  }
  try {
    if ((await holderOf(path)) === found) await unlink(path).catch(ignoreGone)
  } finally {
    await unlink(mark).catch(ignoreGone)
  }
}

const take = async (path: string): Promise<void> => {
  // The lock appears with its content or not at all: written beside it, then linked to its name (which fails if
  // the name exists), so no other process can read it empty.
  const draft = `${path}.${process.pid}`
  await writeFile(draft, `${process.pid}\n`)
  try {
    // A few tries: a stale lock is removed (by this process or a rival), and one released meanwhile is retried.
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await link(draft, path)
        heldHere.add(path)
        return
      } catch (error) {
        if (errnoOf(error) !== "EEXIST") throw error
        const holder = await holderOf(path)
        if (holder === "gone") continue
        if (alive(path, holder)) throw new HeldBy(holder)
        await removeStale(path, holder)
      }
    }
    throw new Error(`${path} kept changing hands`)
  } finally {
    await unlink(draft)
  }
}

/** Releases the lock if it is still this process's: a lock that names another process is left to it. */
const release = async (path: string): Promise<void> => {
  heldHere.delete(path)
  if ((await holderOf(path)) === process.pid) await unlink(path).catch(ignoreGone)
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
      Effect.tryPromise(() => release(path)).pipe(
        Effect.catch((error) => Effect.logWarning(`could not remove ${path}`, error))
      )
  )
}
