import { constants } from "node:fs"
import { access, readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import {
  FILE_OF_KIND,
  ProcurementSource,
  ProcurementSourceError,
  type RecordKind,
  type SourceItem
} from "@adalqarau/core"
import { Effect, Layer, Stream } from "effect"
import { decodeJsonlLine, invalidTextRejection, longLineRejection } from "./decodeJsonlLine.ts"
import { isRecordScanKind, recordsFromBytes } from "./fast/records.ts"
import { fsProblem } from "./fsProblem.ts"
import { fileLineBatches, type LineBatchOptions } from "./lineBatches.ts"

/** The order kind files are read in: reference data first, then lots, contracts, units and payments. */
export const KIND_ORDER: ReadonlyArray<RecordKind> = ["subject", "ref", "lot", "contract", "unit", "payment"]

export interface KindFile {
  readonly kind: RecordKind
  readonly path: string
}

const DEFAULT_MAX_LINE_BYTES = 256 << 20

const folderError = (dir: string, message: string, cause?: unknown) =>
  new ProcurementSourceError({ source: dir, message, ...(cause === undefined ? {} : { cause }) })

/**
 * The kind files a folder holds, in reading order. Fails when the folder is missing or unreadable, or holds none
 * of the files named in `FILE_OF_KIND`; a missing kind file is fine.
 */
export const jsonlFolderFiles = (dir: string): Effect.Effect<ReadonlyArray<KindFile>, ProcurementSourceError> =>
  Effect.gen(function* () {
    const info = yield* Effect.tryPromise({
      try: () => stat(dir),
      catch: (cause) => folderError(dir, `cannot read folder ${dir}: ${fsProblem(cause)}`, cause)
    })
    if (!info.isDirectory()) return yield* folderError(dir, `cannot read folder ${dir}: it is not a folder`)
    const names = new Set(
      yield* Effect.tryPromise({
        try: () => readdir(dir),
        catch: (cause) => folderError(dir, `cannot list folder ${dir}: ${fsProblem(cause)}`, cause)
      })
    )
    const files = KIND_ORDER.filter((kind) => names.has(FILE_OF_KIND[kind])).map((kind) => ({
      kind,
      path: join(dir, FILE_OF_KIND[kind])
    }))
    if (files.length === 0) {
      return yield* folderError(
        dir,
        `folder ${dir} holds none of the OWS JSONL files (${KIND_ORDER.map((k) => FILE_OF_KIND[k]).join(", ")})`
      )
    }
    // Fail before reading anything when a file cannot be opened, rather than half-way through the run.
    for (const file of files) {
      yield* Effect.tryPromise({
        try: () => access(file.path, constants.R_OK),
        catch: (cause) => folderError(file.path, `cannot read file ${file.path}: ${fsProblem(cause)}`, cause)
      })
    }
    return files
  })

/**
 * The items of one kind file, each line decoded (see `decodeJsonlLine`); lines of contracts, units, lots and
 * payments straight from their bytes where the fast path's scanner can vouch for them (`fast/records.ts`).
 */
export const jsonlFileItems = (
  file: KindFile,
  options: LineBatchOptions = {}
): Stream.Stream<SourceItem, ProcurementSourceError> => {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const { kind } = file
  const onBytes = isRecordScanKind(kind) ? recordsFromBytes(kind) : undefined
  return fileLineBatches(
    file.path,
    {
      onLine: decodeJsonlLine(kind, file.path),
      onLongLine: longLineRejection(kind, file.path, maxLineBytes),
      onInvalidText: invalidTextRejection(kind, file.path),
      ...(onBytes === undefined ? {} : { onBytes })
    },
    (cause) => folderError(file.path, `cannot read file ${file.path}: ${fsProblem(cause)}`, cause),
    { ...options, maxLineBytes }
  )
}

/**
 * Every record of a folder of OWS-shaped JSONL files (one file per record kind, named as in `FILE_OF_KIND`),
 * streamed line by line with bounded memory. Bad lines become rejected items located at file and line; only a
 * missing or unreadable folder or file fails the stream.
 */
export const jsonlFolderItems = (
  dir: string,
  options: LineBatchOptions = {}
): Stream.Stream<SourceItem, ProcurementSourceError> =>
  Stream.unwrap(
    Effect.map(jsonlFolderFiles(dir), (files) =>
      Stream.flatMap(Stream.fromIterable(files), (file) => jsonlFileItems(file, options))
    )
  )

/** A `ProcurementSource` over a folder of OWS-shaped JSONL files. */
export class JsonlFolderSource {
  static readonly layer = (dir: string, options: LineBatchOptions = {}): Layer.Layer<ProcurementSource> =>
    Layer.succeed(
      ProcurementSource,
      ProcurementSource.of({ description: `JSONL folder ${dir}`, items: jsonlFolderItems(dir, options) })
    )
}
