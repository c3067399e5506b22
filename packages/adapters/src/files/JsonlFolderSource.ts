import { constants, type Dirent, type Stats } from "node:fs"
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
import { encodingProblem } from "./encodingProblem.ts"
import { isRecordScanKind, recordsFromBytes } from "./fast/records.ts"
import { type UnreadFile, unreadFileText, unreadFilesOf } from "./folderListing.ts"
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

/** What a folder holds for the reader: its kind files in reading order, and the regular files it skips. */
export interface FolderListing {
  readonly files: ReadonlyArray<KindFile>
  readonly unread: ReadonlyArray<UnreadFile>
}

/** Whether an entry is a regular file, through a symbolic link too (the reader follows links to kind files). */
const isRegularFile = (dir: string, entry: Dirent): Promise<boolean> =>
  entry.isSymbolicLink()
    ? stat(join(dir, entry.name)).then(
        (info) => info.isFile(),
        // A dangling or unreadable link is nothing a reader could have taken for data.
        () => false
      )
    : Promise.resolve(entry.isFile())

/**
 * Why a kind file that is neither a file nor a folder cannot be read. The readers take a file's size to cut it into
 * ranges read on several threads: a pipe's size is 0 (its records would be skipped without a word), a device's may
 * never end.
 */
const notRegular = (info: Stats): string =>
  `it is ${info.isFIFO() ? "a named pipe" : info.isSocket() ? "a socket" : "a device"}, not a regular file: ` +
  "write the records to a file first (e.g. zcat contracts.jsonl.gz > contracts.jsonl)"

/**
 * The kind files a folder holds, in reading order, and the other regular files in it that no reader reads (see
 * `unreadFilesOf`): a misnamed kind file is otherwise skipped without a word. Fails when the folder is missing
 * or unreadable, or holds none of the files named in `FILE_OF_KIND`; a missing kind file is fine.
 */
export const jsonlFolderListing = Effect.fn("files.jsonlFolderListing")(function* (
  dir: string
): Effect.fn.Return<FolderListing, ProcurementSourceError> {
  const info = yield* Effect.tryPromise({
    try: () => stat(dir),
    catch: (cause) => folderError(dir, `cannot read folder ${dir}: ${fsProblem(cause)}`, cause)
  })
  if (!info.isDirectory()) return yield* folderError(dir, `cannot read folder ${dir}: it is not a folder`)
  const entries = yield* Effect.tryPromise({
    try: () => readdir(dir, { withFileTypes: true }),
    catch: (cause) => folderError(dir, `cannot list folder ${dir}: ${fsProblem(cause)}`, cause)
  })
  const names = new Set(entries.map((entry) => entry.name))
  const files = KIND_ORDER.filter((kind) => names.has(FILE_OF_KIND[kind])).map((kind) => ({
    kind,
    path: join(dir, FILE_OF_KIND[kind])
  }))
  const regular = yield* Effect.promise(() =>
    Promise.all(entries.map(async (entry) => ((await isRegularFile(dir, entry)) ? [entry.name] : []))).then((r) =>
      r.flat()
    )
  )
  const unread = unreadFilesOf(regular)
  if (files.length === 0) {
    const held = unread.length === 0 ? "" : `; it holds ${unread.map(unreadFileText).join(", ")}`
    return yield* folderError(
      dir,
      `folder ${dir} holds none of the OWS JSONL files (${KIND_ORDER.map((k) => FILE_OF_KIND[k]).join(", ")})${held}`
    )
  }
  // Fail before reading anything when a file cannot be opened or read as JSON lines at all, rather than half-way
  // through the run or with a rejection for every line.
  for (const file of files) {
    yield* Effect.tryPromise({
      try: () => access(file.path, constants.R_OK),
      catch: (cause) => folderError(file.path, `cannot read file ${file.path}: ${fsProblem(cause)}`, cause)
    })
    const problem = yield* Effect.tryPromise({
      try: async () => {
        const info = await stat(file.path)
        return info.isDirectory()
          ? "is a folder, not a file"
          : info.isFile()
            ? encodingProblem(file.path)
            : notRegular(info)
      },
      catch: (cause) => folderError(file.path, `cannot read file ${file.path}: ${fsProblem(cause)}`, cause)
    })
    if (problem !== undefined) return yield* folderError(file.path, `cannot read file ${file.path}: ${problem}`)
  }
  return { files, unread }
})

/** The kind files a folder holds, in reading order (`jsonlFolderListing`'s files, with its failures). */
export const jsonlFolderFiles = (dir: string): Effect.Effect<ReadonlyArray<KindFile>, ProcurementSourceError> =>
  Effect.map(jsonlFolderListing(dir), (listing) => listing.files)

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
