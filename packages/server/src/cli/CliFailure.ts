import { Runtime, Schema } from "effect"

/** Exit code of a run that failed on its input or its environment (a missing folder, an unwritable file). */
export const EXIT_FAILURE = 1
/** Exit code of a wrong invocation, found before any data is read (bad parameters, an unknown output format). */
export const EXIT_USAGE = 2

/**
 * An expected failure of a command: printed as one line on stderr (no stack trace) and turned into the process
 * exit code. Commands map every error they expect into this; anything else is a defect and is reported in full.
 */
export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  message: Schema.String,
  exitCode: Schema.Int
}) {
  override readonly [Runtime.errorExitCode] = this.exitCode
  override readonly [Runtime.errorReported] = false
}

export const usageFailure = (message: string): CliFailure => new CliFailure({ message, exitCode: EXIT_USAGE })
export const runFailure = (message: string): CliFailure => new CliFailure({ message, exitCode: EXIT_FAILURE })
