import { extname } from "node:path"
import type { Finding } from "@adalqarau/core"
import { Effect, Schema } from "effect"
import type { FileWriteError } from "./FileWriteError.ts"
import { findingCsvRecord, findingsCsvHeader } from "./findingsCsv.ts"
import { findingJsonLine } from "./findingsJsonl.ts"
import { TextFileWriter } from "./TextFileWriter.ts"

export type FindingsFormat = "jsonl" | "json" | "csv"

const FORMAT_OF_EXTENSION: Readonly<Record<string, FindingsFormat>> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".csv": "csv"
}

export class UnsupportedFindingsFormat extends Schema.TaggedError<UnsupportedFindingsFormat>()(
  "UnsupportedFindingsFormat",
  { path: Schema.String, message: Schema.String }
) {}

/**
 * The findings format a file name asks for: .jsonl or .ndjson → JSON lines; .json → one JSON array (what a file
 * named .json promises a JSON parser); .csv → CSV.
 */
export const findingsFormatOf = (path: string): Effect.Effect<FindingsFormat, UnsupportedFindingsFormat> => {
  const extension = extname(path).toLowerCase()
  const format = FORMAT_OF_EXTENSION[extension]
  return format === undefined
    ? Effect.fail(
        new UnsupportedFindingsFormat({
          path,
          message: `cannot tell the findings format of ${path}: ${
            extension === "" ? "it has no extension" : `unknown extension ${extension}`
          }; use .jsonl or .ndjson for JSON lines, .json for a JSON array, or .csv`
        })
      )
    : Effect.succeed(format)
}

/** Writes findings to a file in the format its extension names; returns how many were written. */
export const writeFindings = (
  path: string,
  findings: Iterable<Finding>
): Effect.Effect<number, FileWriteError | UnsupportedFindingsFormat> =>
  Effect.scoped(
    Effect.gen(function* () {
      const format = yield* findingsFormatOf(path)
      const writer = yield* TextFileWriter.open(path)
      // A JSON array is the JSON lines with a comma before every element but the first, between brackets.
      const line =
        format === "csv"
          ? findingCsvRecord
          : format === "json"
            ? (finding: Finding, index: number) => `${index === 0 ? "" : ","}${findingJsonLine(finding)}`
            : findingJsonLine
      if (format === "csv") writer.write(findingsCsvHeader)
      if (format === "json") writer.write("[\n")
      let count = 0
      for (const finding of findings) {
        if (!writer.write(line(finding, count))) yield* writer.ready
        count++
      }
      if (format === "json") writer.write("]\n")
      yield* writer.close
      return count
    })
  )
