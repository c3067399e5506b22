import { join } from "node:path"
import { FILE_OF_KIND, type RecordKind } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import type { FileWriteError } from "./FileWriteError.ts"
import { GROUND_TRUTH_FILE } from "./folderListing.ts"
import { KIND_ORDER } from "./JsonlFolderSource.ts"
import { TextFileWriter } from "./TextFileWriter.ts"

/** What a dataset generator emits: a raw OWS record of a kind, or a ground-truth label. */
export type DatasetItem =
  | { readonly kind: RecordKind; readonly raw: unknown }
  | { readonly kind: "label"; readonly label: unknown }

export interface DatasetFileCount {
  readonly file: string
  readonly path: string
  readonly records: number
}

export interface DatasetCounts {
  readonly dir: string
  /** One entry per file written (every kind file and the ground truth, even when empty), in reading order. */
  readonly files: ReadonlyArray<DatasetFileCount>
  /** Records of every kind (labels not included). */
  readonly records: number
  readonly labels: number
}

interface Target {
  readonly file: string
  readonly path: string
  readonly writer: TextFileWriter
  records: number
}

const isLabel = (item: DatasetItem): item is Extract<DatasetItem, { kind: "label" }> => item.kind === "label"

/**
 * Writes generated items as an OWS-shaped JSONL folder: each record to `DIR/<FILE_OF_KIND[kind]>`, each label to
 * `DIR/ground_truth.jsonl`, one JSON value per line, with backpressure. Creates DIR; every file is created or
 * truncated, so no stale file of an earlier run is left next to the new ones.
 */
export const writeDataset = <E = never, R = never>(
  dir: string,
  items: Stream.Stream<DatasetItem, E, R> | Iterable<DatasetItem>
): Effect.Effect<DatasetCounts, FileWriteError | E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const files = [...KIND_ORDER.map((kind) => FILE_OF_KIND[kind]), GROUND_TRUTH_FILE]
      const targets: Array<Target> = []
      for (const file of files) {
        const path = join(dir, file)
        targets.push({ file, path, writer: yield* TextFileWriter.open(path), records: 0 })
      }
      const byFile = new Map(targets.map((target) => [target.file, target]))
      const targetOf = (item: DatasetItem): Target =>
        byFile.get(isLabel(item) ? GROUND_TRUTH_FILE : FILE_OF_KIND[item.kind]) as Target

      const writeAll = (batch: Iterable<DatasetItem>): Effect.Effect<void, FileWriteError> =>
        Effect.gen(function* () {
          for (const item of batch) {
            const target = targetOf(item)
            target.records++
            const text = JSON.stringify(isLabel(item) ? item.label : item.raw)
            if (!target.writer.write(`${text}\n`)) yield* target.writer.ready
          }
        })

      if (Stream.isStream(items)) yield* Stream.runForEachArray(items as Stream.Stream<DatasetItem, E, R>, writeAll)
      else yield* writeAll(items)
      for (const target of targets) yield* target.writer.close

      const labels = byFile.get(GROUND_TRUTH_FILE)?.records ?? 0
      return {
        dir,
        files: targets.map(({ file, path, records }) => ({ file, path, records })),
        records: targets.reduce((sum, target) => sum + target.records, 0) - labels,
        labels
      }
    })
  )
