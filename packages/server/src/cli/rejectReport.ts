import { type FileWriteError, TextFileWriter } from "@adalqarau/adapters/files"
import { RecordRejection } from "@adalqarau/core"
import { Effect, Schema, type Scope } from "effect"
import { runFailure, type CliFailure } from "./CliFailure.ts"
import { formatCount } from "./output.ts"

/** How many rejected records are printed on stderr before only counting the rest. */
export const PRINTED_REJECTIONS = 20

const encodeRejection = Schema.encodeSync(RecordRejection)

export interface RejectReport {
  readonly onRejected: (rejection: RecordRejection) => Effect.Effect<void>
  /** Closes the rejects file and prints how many were left unprinted; fails when the file could not be written. */
  readonly finish: Effect.Effect<void, CliFailure>
  readonly count: () => number
}

/**
 * Reports bad records as they are met: the first 20 printed (file:line, field, value, reason), every one written to
 * the rejects file when there is one. A write error of that file never stops the analysis; it is reported at the end.
 */
export const makeRejectReport = (
  print: (line: string) => Effect.Effect<void>,
  rejectsPath: string | undefined
): Effect.Effect<RejectReport, CliFailure, Scope.Scope> =>
  Effect.gen(function* () {
    const file =
      rejectsPath === undefined
        ? undefined
        : yield* TextFileWriter.open(rejectsPath).pipe(Effect.mapError((e: FileWriteError) => runFailure(e.message)))
    let count = 0
    let fileFailed = false
    const onRejected = (rejection: RecordRejection): Effect.Effect<void> =>
      Effect.gen(function* () {
        count++
        if (count <= PRINTED_REJECTIONS) yield* print(`rejected ${rejection.text}`)
        if (file !== undefined && !fileFailed && !file.write(`${JSON.stringify(encodeRejection(rejection))}\n`)) {
          yield* file.ready.pipe(
            Effect.catch(() =>
              Effect.sync(() => {
                fileFailed = true
              })
            )
          )
        }
      })
    const finish = Effect.gen(function* () {
      if (count > PRINTED_REJECTIONS) {
        const rest = formatCount(count - PRINTED_REJECTIONS)
        yield* print(
          rejectsPath === undefined
            ? `… and ${rest} more rejected records (use --rejects FILE to keep them all)`
            : `… and ${rest} more rejected records (all ${formatCount(count)} are in ${rejectsPath})`
        )
      }
      if (file !== undefined) yield* file.close.pipe(Effect.mapError((e) => runFailure(e.message)))
    })
    return { onRejected, finish, count: () => count }
  })
