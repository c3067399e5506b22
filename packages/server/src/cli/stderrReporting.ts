import { Cause, Effect, Logger, Runtime } from "effect"

/**
 * Runs a command with its logs and its unexpected failures on stderr: stdout carries only the command's results,
 * so `--json` output parses and a pipe gets no log lines. Effect's loggers write to stdout unless told otherwise.
 *
 * This reports what `NodeRuntime.runMain` would (a defect with its stack trace; nothing for an interruption or an
 * error marked as already reported, such as a `CliFailure`), but inside the command's context, where stderr is the
 * logs' stream: run the result with `runMain({ disableErrorReporting: true })`, or a defect is reported twice.
 */
export const withStderrReporting = <A, E, R>(command: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  command.pipe(
    Effect.tapCause((cause) =>
      Cause.hasInterruptsOnly(cause) || !Runtime.getErrorReported(Cause.squash(cause))
        ? Effect.void
        : Effect.logError(cause)
    ),
    Effect.provideService(Logger.LogToStderr, true)
  )
