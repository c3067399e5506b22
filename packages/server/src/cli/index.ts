/** The `adalqarau` command-line tool: commands, and `runCli` to run them on an argument list. */
import { Console, Effect } from "effect"
import { CliOutput, Command } from "effect/cli"
import { adalqarau, VERSION } from "./root.ts"
import { withStderrReporting } from "./stderrReporting.ts"
import { usageFailure } from "./CliFailure.ts"

export { analyzeCommand, runAnalyze, type AnalyzeOptions } from "./analyze.ts"
export { type AnalysisSummary, renderSummary, summarize } from "./analysisSummary.ts"
export { CliFailure, EXIT_FAILURE, EXIT_USAGE } from "./CliFailure.ts"
export { generateCommand, runGenerate, type GenerateOptions, type GenerateSummary } from "./generate.ts"
export { indicatorCatalogue, indicatorsCommand, type IndicatorCatalogue } from "./indicators.ts"
export { adalqarau, VERSION } from "./root.ts"
export { withStderrReporting } from "./stderrReporting.ts"

/**
 * Runs `adalqarau` on command-line arguments (without the node and script paths). An expected failure is printed
 * as one line on stderr and fails the effect with its exit code (see `CliFailure`); logs and a defect's report go to
 * stderr too (see `withStderrReporting`: run it with `runMain({ disableErrorReporting: true })`).
 */
/**
 * A wrong invocation prints what was wrong and where to look, all on stderr: effect/cli's default also printed the
 * whole help (about 1.5 KB) on stdout, into the pipe of a `--json` run. `--help` still prints help on stdout.
 */
const usagePresenter = CliOutput.layerPresenter({
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.gen(function* () {
          const formatter = yield* CliOutput.Formatter
          yield* Console.error(formatter.formatErrors(event.errors))
          yield* Console.error(`See: ${[...event.commandPath].join(" ")} --help`)
        })
      : CliOutput.defaultPresenter.present(event)
})

export const runCli = (args: ReadonlyArray<string>) =>
  Command.runWith(adalqarau, { version: VERSION })(args).pipe(
    Effect.provide(usagePresenter),
    Effect.tapError((error) =>
      error._tag === "CliFailure" ? Console.error(`adalqarau: ${error.message}`) : Effect.void
    ),
    // effect/cli has printed the help and the errors (an unknown flag, a missing argument, a value of the wrong
    // type) and would exit 1; a wrong invocation exits 2, as the commands' own usage checks do.
    Effect.catchIf(
      (error) => error._tag === "ShowHelp" && error.errors.length > 0,
      (error) => Effect.fail(usageFailure(error.message))
    ),
    withStderrReporting
  )
