/**
 * A PGlite data folder is held by one process at a time (dataDirLock.ts): a second opening fails naming the
 * holder, a lock left by a process that is gone is taken over, and closing releases the folder.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { LOCK_FILE, lockDataDir } from "../src/pglite/dataDirLock.ts"
import { acquirePglite } from "../src/pglite/PgliteClient.ts"

const withFolder = <A, E>(use: (dir: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "adalqarau-pglite-lock-"))),
    (root) => use(join(root, "pglite")),
    (root) => Effect.promise(() => rm(root, { recursive: true, force: true }))
  )

const opens = (dir: string) =>
  Effect.scoped(Effect.flatMap(acquirePglite({ dataDir: dir }), (db) => Effect.promise(() => db.query("SELECT 1"))))

describe("PGlite data folder lock", () => {
  it.live("a second opening fails naming the holder; closing releases the folder", () =>
    withFolder((dir) =>
      Effect.gen(function* () {
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* acquirePglite({ dataDir: dir })
            assert.strictEqual(
              (yield* Effect.promise(() => readFile(join(dir, LOCK_FILE), "utf8"))).trim(),
              String(process.pid)
            )
            const second = yield* Effect.exit(opens(dir))
            assert.isTrue(Exit.isFailure(second))
            if (Exit.isFailure(second)) {
              const text = Cause.pretty(second.cause)
              assert.include(text, `process ${process.pid} has it open`)
              assert.include(text, "DATABASE_URL")
            }
          })
        )
        assert.isFalse(existsSync(join(dir, LOCK_FILE)), "released when the scope closed")
        yield* opens(dir)
      })
    )
  )

  it.live("a lock left by a process that is gone, or naming none, is taken over", () =>
    withFolder((dir) =>
      Effect.gen(function* () {
        // The id of a process that has exited.
        const gone = spawnSync(process.execPath, ["-e", ""]).pid
        assert.isDefined(gone)
        yield* Effect.promise(async () => {
          await mkdir(dir, { recursive: true })
          await writeFile(join(dir, LOCK_FILE), `${gone}\n`)
        })
        yield* opens(dir)
        assert.isFalse(existsSync(join(dir, LOCK_FILE)))
        // A lock that names no process at all is taken over too.
        yield* Effect.promise(() => writeFile(join(dir, LOCK_FILE), ""))
        yield* opens(dir)
        assert.isFalse(existsSync(join(dir, LOCK_FILE)))
      })
    )
  )

  it.live("a lock naming this process's own id, left by an earlier process (PID 1 in a container), is taken over", () =>
    withFolder((dir) =>
      Effect.gen(function* () {
        yield* Effect.promise(async () => {
          await mkdir(dir, { recursive: true })
          await writeFile(join(dir, LOCK_FILE), `${process.pid}\n`)
        })
        yield* opens(dir)
        assert.isFalse(existsSync(join(dir, LOCK_FILE)))
      })
    )
  )

  it.live("closing removes the lock only while it names this process", () =>
    withFolder((dir) =>
      Effect.gen(function* () {
        const other = spawnSync(process.execPath, ["-e", ""]).pid
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* lockDataDir(dir)
            // As if another process had taken the folder over meanwhile: its lock is not this one's to remove.
            yield* Effect.promise(() => writeFile(join(dir, LOCK_FILE), `${other}\n`))
          })
        )
        assert.strictEqual((yield* Effect.promise(() => readFile(join(dir, LOCK_FILE), "utf8"))).trim(), String(other))
      })
    )
  )

  it.live("of many takers of one stale lock at once, exactly one holds the folder", () =>
    withFolder((dir) =>
      Effect.gen(function* () {
        const gone = spawnSync(process.execPath, ["-e", ""]).pid
        for (let round = 0; round < 5; round++) {
          yield* Effect.promise(async () => {
            await mkdir(dir, { recursive: true })
            await writeFile(join(dir, LOCK_FILE), `${gone}\n`)
          })
          const exits = yield* Effect.scoped(
            Effect.all(
              Array.from({ length: 4 }, () => Effect.exit(lockDataDir(dir))),
              { concurrency: "unbounded" }
            )
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1, `round ${round}`)
          assert.isFalse(existsSync(join(dir, LOCK_FILE)), "the holder released it")
          assert.isFalse(existsSync(join(dir, `${LOCK_FILE}.takeover`)))
        }
      })
    )
  )
})
