import { type FileWriteError, TextFileWriter } from "@adalqarau/adapters/files"
import { RecordRejection } from "@adalqarau/core"
import { Effect, Schema, type Scope } from "effect"
import { runFailure, type CliFailure } from "./CliFailure.ts"
import { formatCount } from "./output.ts"

/** How many rejected records are printed on stderr before only counting the rest. */
export const PRINTED_REJECTIONS = 20

/** A rejection as JSON: its fields, without the class. */
export const encodeRejection = Schema.encodeSync(RecordRejection)

/** A rejection as one line of a rejects file (JSON lines; `RecordRejection`'s encoded form). */
export const rejectionJsonLine = (rejection: RecordRejection): string => JSON.stringify(encodeRejection(rejection))

export interface RejectReport {
  readonly onRejected: (rejection: RecordRejection) => Effect.Effect<void>
  /**
   * Closes the rejects file and prints how many were left unprinted — of `total` when the caller counted more than
   * it reported (an import's stored rejections are read back only as far as they are shown) — and fails when the
   * file could not be written.
   */
  readonly finish: (total?: number) => Effect.Effect<void, CliFailure>
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
        if (file !== undefined && !fileFailed && !file.write(`${rejectionJsonLine(rejection)}\n`)) {
          yield* file.ready.pipe(
            Effect.catch(() =>
              Effect.sync(() => {
                fileFailed = true
              })
            )
          )
        }
      })
    const finish = (total = count) =>
      Effect.gen(function* () {
        const all = Math.max(total, count)
        if (all > PRINTED_REJECTIONS) {
          const rest = formatCount(all - PRINTED_REJECTIONS)
          yield* print(
            rejectsPath === undefined
              ? `… and ${rest} more rejected records (use --rejects FILE to keep them all)`
              : `… and ${rest} more rejected records (all ${formatCount(all)} are in ${rejectsPath})`
          )
        }
        if (file !== undefined) yield* file.close.pipe(Effect.mapError((e) => runFailure(e.message)))
      })
    return { onRejected, finish, count: () => count }
  })
