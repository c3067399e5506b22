import { FILE_OF_KIND } from "@adalqarau/core"

/** The file of the generator's ground-truth labels, next to the kind files. */
export const GROUND_TRUTH_FILE = "ground_truth.jsonl"

/** The benchmark's cache marker in a dataset folder it generated (`bench/datasets.ts`, MARKER). */
export const BENCH_MARKER_FILE = "bench-dataset.json"

/**
 * Files our own tools write next to the kind files: known, not records, so never reported as unread. A folder
 * written by `adalqarau generate` or cached by the benchmark must not draw a note on every run.
 */
export const NOT_DATA_FILES: ReadonlyArray<string> = [GROUND_TRUTH_FILE, BENCH_MARKER_FILE]

/** A regular file of a folder that the reader skips, and the kind file its name most likely meant. */
export interface UnreadFile {
  readonly name: string
  readonly didYouMean?: string
}

/** A name without its extensions, in lower case: `Contract_Units.jsonl.gz` → `contract_units`. */
const stemOf = (name: string): string => {
  const dot = name.indexOf(".")
  return (dot === -1 ? name : name.slice(0, dot)).toLowerCase()
}

/**
 * The kind file a name differs from only by case, a singular/plural `s` or its extension — the slips seen in
 * hand-made exports (`contract.jsonl`, `Contract_Units.jsonl`, `treasury_payments.json`).
 */
export const kindFileLike = (name: string): string | undefined => {
  const stem = stemOf(name)
  return Object.values(FILE_OF_KIND).find((file) => {
    const known = stemOf(file)
    return stem === known || `${stem}s` === known || stem === `${known}s`
  })
}

/**
 * Of a folder's regular files, those the reader does not read, sorted by name. Hidden files (`.DS_Store`,
 * `.gitkeep`, an editor's swap file) are left out: tools and the OS put them there, never a dataset.
 */
export const unreadFilesOf = (regularFiles: Iterable<string>): ReadonlyArray<UnreadFile> => {
  const known = new Set<string>([...Object.values(FILE_OF_KIND), ...NOT_DATA_FILES])
  return [...regularFiles]
    .filter((name) => !name.startsWith(".") && !known.has(name))
    .sort((a, b) => a.localeCompare(b, "en"))
    .map((name) => {
      const like = kindFileLike(name)
      return like === undefined ? { name } : { name, didYouMean: like }
    })
}

/** `contract.jsonl (did you mean contracts.jsonl?)`: how messages name an unread file. */
export const unreadFileText = (file: UnreadFile): string =>
  file.didYouMean === undefined ? file.name : `${file.name} (did you mean ${file.didYouMean}?)`
