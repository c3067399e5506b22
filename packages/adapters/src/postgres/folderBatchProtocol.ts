import type { PreparedBatch } from "./batches.ts"

/** What the reader thread of `folderBatches` is started with. */
export interface FolderBatchesInput {
  readonly dir: string
  readonly batchSize: number
}

/**
 * What it posts: a batch (structured-cloned, so its rejections arrive as plain objects), the folder's end, or why
 * reading stopped. The writing thread posts back a number: how many more batches it wants.
 */
export type FolderBatchMessage =
  | { readonly _tag: "Batch"; readonly batch: PreparedBatch }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failed"; readonly source: string; readonly message: string }
