import { execFile } from "node:child_process"
import { promisify } from "node:util"
import type { Dataset } from "./datasets.ts"
import { ROOT } from "./paths.ts"

const run = promisify(execFile)

/** A measurement that reports why it did not run rather than a number, until what it measures can be driven. */
export type SlotResult =
  | { readonly status: "measured"; readonly figures: Readonly<Record<string, number>> }
  | { readonly status: "not measured"; readonly reason: string }

/** Whether a file is committed (landed) in the repository, not just present in a work tree. */
export const landed = async (path: string): Promise<boolean> =>
  run("git", ["-C", ROOT, "ls-files", "--error-unmatch", path]).then(
    () => true,
    () => false
  )

const SERVER = "packages/server/src/Server.ts"

/**
 * (4) The server's findings page: autocannon p50/p99 and requests/s at 50 and 200 connections, against a bare
 * `node:http` handler running the same SQL, on the database at `databaseUrl` loaded with `dataset`.
 */
export const measureServer = async (databaseUrl: string | undefined, _dataset: Dataset): Promise<SlotResult> => {
  if (!(await landed(SERVER))) return { status: "not measured", reason: `the server (${SERVER}) has not landed` }
  return {
    status: "not measured",
    reason:
      "the server landed while this benchmark was being written, and driving its findings page (signed in, on the " +
      `PostgreSQL ${databaseUrl === undefined ? "of DATABASE_URL" : "the bench uses"} loaded with the dataset) under autocannon beside a bare ` +
      "node:http handler running the same SQL is not wired yet (bench/slots.ts measureServer)"
  }
}
