/**
 * Child process of `pnpm bench`: the in-memory engine over a JSONL folder, phase by phase. Prints one JSON line
 * (timings, counts, peak RSS) and writes the sorted finding keys to a file for the cross-check with DuckDB.
 *
 *   node bench/systems/memoryRun.ts DIR KEYS_FILE fast|fast-ts|stream [THREADS]
 *
 * `fast` reads with the native line scanner where it is built, `fast-ts` with the TypeScript one.
 */
import { writeFileSync } from "node:fs"
import { jsonlFolderItems, nativeScannerAbsence, readJsonlFolderInto } from "@adalqarau/adapters/files"
import {
  DatasetBuilder,
  evaluateIndicators,
  IndicatorRegistry,
  InputTally,
  type RecordRejection
} from "@adalqarau/core"
import { Effect, Stream } from "effect"

const [dir, keysFile, mode = "fast", threadsArg] = process.argv.slice(2)
if (dir === undefined || keysFile === undefined)
  throw new Error("usage: memoryRun.ts DIR KEYS_FILE fast|fast-ts|stream [THREADS]")

const resolved = Effect.runSync(IndicatorRegistry.standard.resolve({}))
const started = performance.now()
const builder = new DatasetBuilder()
const tally = new InputTally()

const scanner = mode === "stream" ? "—" : mode === "fast-ts" ? "typescript" : (nativeScannerAbsence() ?? "native")

if (mode === "fast" || mode === "fast-ts") {
  await Effect.runPromise(
    readJsonlFolderInto(
      dir,
      {
        builder,
        accepted: (kind, count) => tally.add(kind, count, 0),
        rejected: (rejection: RecordRejection) => Effect.sync(() => tally.add(rejection.kind, 0, 1)),
        progress: () => Effect.void
      },
      {
        ...(threadsArg === undefined ? {} : { threads: Number(threadsArg) }),
        nativeScanner: mode === "fast"
      }
    )
  )
} else {
  await Effect.runPromise(
    Stream.runForEachArray(jsonlFolderItems(dir), (chunk) =>
      Effect.sync(() => {
        for (const item of chunk) {
          tally.count(item)
          if (item._tag === "Accepted") builder.add(item.record)
        }
      })
    )
  )
}
const read = performance.now()
const dataset = builder.build()
const built = performance.now()
const result = evaluateIndicators(dataset, resolved)
const evaluated = performance.now()

writeFileSync(
  keysFile,
  `${result.findings
    .map((f) => f.key)
    .sort()
    .join("\n")}\n`
)
const total = tally.total()
console.log(
  JSON.stringify({
    mode,
    scanner,
    readMs: read - started,
    buildMs: built - read,
    evaluateMs: evaluated - built,
    totalMs: evaluated - started,
    records: total.read,
    rejected: total.rejected,
    findings: result.findings.length,
    maxRssKiB: process.resourceUsage().maxRSS
  })
)
