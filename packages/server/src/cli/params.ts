import { readFile } from "node:fs/promises"
import { fsProblem } from "@adalqarau/adapters/files"
import { IndicatorRegistry } from "@adalqarau/core"
import { Effect } from "effect"
import { type CliFailure, usageFailure } from "./CliFailure.ts"

/** A multi-line schema message on one line. */
const oneLine = (message: string): string =>
  message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ")

/**
 * Reads and checks a params.json file against the registry, before any data is read. A missing file, invalid
 * JSON or a parameter error is a usage failure (exit code 2) naming the file and the parameter's path.
 */
export const loadParams = (
  path: string,
  registry: IndicatorRegistry = IndicatorRegistry.standard
): Effect.Effect<unknown, CliFailure> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (cause) => usageFailure(`cannot read params file ${path}: ${fsProblem(cause)}`)
    })
    const params = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (cause) =>
        usageFailure(`params file ${path} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`)
    })
    yield* registry
      .resolve(params)
      .pipe(Effect.mapError((e) => usageFailure(`params file ${path}: ${e.path}: ${oneLine(e.reason)}`)))
    return params
  })
