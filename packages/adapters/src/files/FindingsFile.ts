import { extname } from "node:path"
import type { Finding } from "@adalqarau/core"
import { Effect, Schema } from "effect"
import type { FileWriteError } from "./FileWriteError.ts"
import { findingCsvRecord, findingsCsvHeader } from "./findingsCsv.ts"
import { findingJsonLine } from "./findingsJsonl.ts"
import { TextFileWriter } from "./TextFileWriter.ts"

export type FindingsFormat = "jsonl" | "csv"

const FORMAT_OF_EXTENSION: Readonly<Record<string, FindingsFormat>> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
  ".csv": "csv"
}

export class UnsupportedFindingsFormat extends Schema.TaggedError<UnsupportedFindingsFormat>()(
  "UnsupportedFindingsFormat",
  { path: Schema.String, message: Schema.String }
) {}

/** The findings format a file name asks for: .jsonl, .ndjson or .json → JSON lines; .csv → CSV. */
export const findingsFormatOf = (path: string): Effect.Effect<FindingsFormat, UnsupportedFindingsFormat> => {
  const extension = extname(path).toLowerCase()
  const format = FORMAT_OF_EXTENSION[extension]
  return format === undefined
    ? Effect.fail(
        new UnsupportedFindingsFormat({
          path,
          message: `cannot tell the findings format of ${path}: ${
            extension === "" ? "it has no extension" : `unknown extension ${extension}`
          }; use .jsonl, .ndjson or .json for JSON lines, or .csv`
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
      const line = format === "csv" ? findingCsvRecord : findingJsonLine
      if (format === "csv") writer.write(findingsCsvHeader)
      let count = 0
      for (const finding of findings) {
        count++
        if (!writer.write(line(finding))) yield* writer.ready
      }
      yield* writer.close
      return count
    })
  )
