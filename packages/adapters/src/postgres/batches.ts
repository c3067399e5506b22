import type { ProcurementRecord, RecordRejection, SourceItem } from "@adalqarau/core"
import { Stream } from "effect"
import { type PreparedRecords, prepareRecords } from "./upsert.ts"

/**
 * One batch of a source, its records prepared for writing before its transaction begins: plain data (strings,
 * numbers and arrays of them), so that a reader thread can prepare it and post it to the writing one.
 */
export interface PreparedBatch {
  readonly read: number
  readonly records: PreparedRecords
  readonly rejections: ReadonlyArray<RecordRejection>
}

export const prepareBatch = (items: ReadonlyArray<SourceItem>): PreparedBatch => {
  const records: Array<ProcurementRecord> = []
  const rejections: Array<RecordRejection> = []
  for (const item of items) {
    if (item._tag === "Accepted") records.push(item.record)
    else rejections.push(item.rejection)
  }
  return { read: items.length, records: prepareRecords(records), rejections }
}

/** Marks the source's normal end: only then does a partial last batch count. */
const SOURCE_END: unique symbol = Symbol("end of source")

/**
 * The source as prepared batches of `size` items and a last, smaller one. A source that fails part-way (a
 * truncated file, a dropped connection) ends the stream with its error and never hands over the partial batch
 * read before it: the end marker follows the source only when the source succeeded.
 */
export const preparedBatches = <E, R>(items: Stream.Stream<SourceItem, E, R>, size: number) =>
  Stream.concat(items, Stream.succeed(SOURCE_END)).pipe(
    Stream.mapAccum(
      (): Array<SourceItem> => [],
      (pending, item): readonly [Array<SourceItem>, ReadonlyArray<ReadonlyArray<SourceItem>>] => {
        if (item === SOURCE_END) return [[], pending.length > 0 ? [pending] : []]
        pending.push(item)
        return pending.length >= size ? [[], [pending]] : [pending, []]
      }
    ),
    Stream.map(prepareBatch)
  )
