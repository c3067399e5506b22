import { resolve } from "node:path"
import { type DatasetCounts, writeDataset } from "@adalqarau/adapters/files"
import { Console, Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { formatCount, formatDuration, perSecond, renderTable } from "./output.ts"

export interface GenerateOptions {
  readonly contracts: number
  readonly seed: number
  readonly out: string
  readonly json: boolean
}

/** What `adalqarau generate --json` prints. */
export interface GenerateSummary extends DatasetCounts {
  readonly requestedContracts: number
  /** Contract chains generated: as requested, or more when the planted cases alone need more. */
  readonly contracts: number
  readonly seed: number
  readonly elapsedMs: number
  readonly recordsPerSecond: number
}

export const renderGenerateSummary = (s: GenerateSummary): string =>
  [
    `Generated ${formatCount(s.contracts)} contract chains (seed ${s.seed}) into ${s.dir}: ` +
      `${formatCount(s.records)} records and ${formatCount(s.labels)} ground-truth labels in ` +
      `${formatDuration(s.elapsedMs)} (${formatCount(s.recordsPerSecond)} records/s)`,
    renderTable({
      columns: [{ header: "file" }, { header: "lines", align: "right" }],
      rows: s.files.map((f) => [f.file, formatCount(f.records)]),
      footer: [["total", formatCount(s.records + s.labels)]]
    })
  ].join("\n\n")

/** The generator lives in core's testing entry point; loaded on demand so other commands start without it. */
const loadGenerator = Effect.gen(function* () {
  const testing = yield* Effect.tryPromise({
    try: () => import("@adalqarau/core/testing"),
    catch: (cause) =>
      runFailure(`the dataset generator could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`)
  })
  // Checked at run time too: the generator may be missing from a partial build of core.
  if (typeof testing.generateDataset !== "function" || typeof testing.planDataset !== "function") {
    return yield* runFailure(
      "the dataset generator (generateDataset, planDataset) is missing from @adalqarau/core/testing"
    )
  }
  return testing
})

/** Writes a seeded synthetic dataset with planted indicator cases as an OWS-shaped JSONL folder. */
export const runGenerate = (options: GenerateOptions): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    const { generateDataset, planDataset } = yield* loadGenerator
    const generatorOptions = { contracts: options.contracts, seed: options.seed }
    // The generator checks its options when it starts; check them before creating any file.
    const plan = yield* Effect.try({
      try: () => planDataset(generatorOptions),
      catch: (cause) => usageFailure(cause instanceof Error ? cause.message : String(cause))
    })
    const started = performance.now()
    const counts = yield* writeDataset(resolve(options.out), generateDataset(generatorOptions)).pipe(
      Effect.mapError((e) => runFailure(e.message))
    )
    const elapsedMs = performance.now() - started
    const summary: GenerateSummary = {
      ...counts,
      requestedContracts: options.contracts,
      contracts: plan.chains,
      seed: options.seed,
      elapsedMs: Math.round(elapsedMs),
      recordsPerSecond: perSecond(counts.records, elapsedMs)
    }
    yield* Console.log(options.json ? JSON.stringify(summary, null, 2) : renderGenerateSummary(summary))
  })

export const generateCommand = Command.make(
  "generate",
  {
    contracts: Flag.Int("contracts").pipe(Flag.withDescription("Number of root contracts to generate")),
    seed: Flag.Int("seed").pipe(
      Flag.withDescription("Seed: the same seed gives the same dataset"),
      Flag.withDefault(1)
    ),
    out: Flag.String("out").pipe(Flag.withDescription("Folder to write the JSONL files to (created when missing)")),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the counts as JSON"), Flag.withDefault(false))
  },
  (options) => runGenerate(options)
).pipe(
  Command.withDescription(
    "Write a synthetic OWS-shaped dataset with planted indicator cases (contracts.jsonl, …, ground_truth.jsonl)"
  ),
  Command.withExamples([
    {
      command: "adalqarau generate --contracts 20000 --seed 42 --out .data/sample",
      description: "A 20,000-contract sample"
    }
  ])
)
