/**
 * File adapters: a `ProcurementSource` over a folder of OWS-shaped JSONL files and its fast path straight into the
 * analysis dataset (`analyzeJsonlFolder`), the JSONL dataset writer used by `adalqarau generate`, and findings
 * writers (JSON lines, CSV).
 */
export { decodeJsonlLine } from "./decodeJsonlLine.ts"
export { nativeScannerAbsence } from "./fast/nativeScanner.ts"
export { analyzeJsonlFolder, type FastReadOptions, readJsonlFolderInto } from "./fast/readFolder.ts"
export { FileWriteError } from "./FileWriteError.ts"
export {
  type FindingsFormat,
  findingsFormatOf,
  UnsupportedFindingsFormat,
  writeFindings
} from "./FindingsFile.ts"
export {
  csvField,
  csvRecord,
  FINDINGS_CSV_COLUMNS,
  findingCsvFields,
  findingCsvRecord,
  findingsCsvHeader,
  formatNamedValues,
  spreadsheetText
} from "./findingsCsv.ts"
export { findingJsonLine } from "./findingsJsonl.ts"
export {
  BENCH_MARKER_FILE,
  GROUND_TRUTH_FILE,
  kindFileLike,
  NOT_DATA_FILES,
  type UnreadFile,
  unreadFileText,
  unreadFilesOf
} from "./folderListing.ts"
export { fsProblem } from "./fsProblem.ts"
export {
  type DatasetCounts,
  type DatasetFileCount,
  type DatasetItem,
  writeDataset
} from "./JsonlDatasetWriter.ts"
export {
  type FolderListing,
  JsonlFolderSource,
  jsonlFileItems,
  jsonlFolderFiles,
  jsonlFolderItems,
  jsonlFolderListing,
  KIND_ORDER,
  type KindFile
} from "./JsonlFolderSource.ts"
export { type LineBatchOptions, type LineHandlers, fileLineBatches } from "./lineBatches.ts"
export { TextFileWriter, type TextFileWriterOptions } from "./TextFileWriter.ts"
