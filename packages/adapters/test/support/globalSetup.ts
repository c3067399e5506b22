/**
 * Starts a throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh, with the newest server binaries from 15 on
 * that scripts/pg-bin.sh finds) for the integration tests when DATABASE_URL is not set and such binaries are
 * installed, and stops it after the run. Without either, the PostgreSQL suites are skipped and the same suites
 * still run on PGlite. Rebuilds the native line scanner first when its source is newer than its build, so that the
 * tests never compare the TypeScript scanner with an addon built from an older source.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"
import { pgliteTemplates } from "./pgliteTemplate.ts"
import type {} from "./provided.ts"

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL("../../../../scripts/pg-test-cluster.sh", import.meta.url))
const PG_BIN_SCRIPT = fileURLToPath(new URL("../../../../scripts/pg-bin.sh", import.meta.url))
const NATIVE_BUILD = fileURLToPath(new URL("../../native/build.mjs", import.meta.url))

/** Whether scripts/pg-bin.sh finds PostgreSQL 15+ server binaries (it exits 1 when there are none). */
const serverInstalled = (): Promise<boolean> =>
  run(PG_BIN_SCRIPT).then(
    () => true,
    () => false
  )

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // Loaded by the test workers after this: a host without a compiler gets the build script's warning and the
  // TypeScript scanner.
  const built = await run(process.execPath, [NATIVE_BUILD, "--if-stale"])
  if (built.stderr !== "") process.stderr.write(built.stderr)
  const templates = await pgliteTemplates()
  project.provide("pgliteEmpty", templates.empty)
  project.provide("pgliteMigrated", templates.migrated)
  if (process.env.DATABASE_URL !== undefined) {
    project.provide("pgAdminUrl", process.env.DATABASE_URL)
    return undefined
  }
  if (!(await serverInstalled())) {
    project.provide("pgAdminUrl", null)
    return undefined
  }
  // A port per run, so parallel runs on one machine do not collide.
  const port = String(56_000 + (process.pid % 4_000))
  const { stdout } = await run(SCRIPT, ["start", port])
  const values = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)])
  )
  const url = values.DATABASE_URL
  const dir = values.PG_TEST_DIR
  if (url === undefined || dir === undefined) throw new Error(`pg-test-cluster.sh printed no DATABASE_URL: ${stdout}`)
  project.provide("pgAdminUrl", url)
  return async () => {
    await run(SCRIPT, ["stop", dir])
  }
}
