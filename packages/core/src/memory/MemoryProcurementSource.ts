import { Layer, Stream } from "effect"
import type { RecordKind } from "../domain/Contract.ts"
import { ProcurementSource } from "../ports/ProcurementSource.ts"
import { decodeRecord } from "../sources/ows/decode.ts"
import { locateRejection } from "../sources/ows/RecordRejection.ts"
import { accepted, rejected } from "../sources/SourceItem.ts"

export interface RawRecord {
  readonly kind: RecordKind
  readonly raw: unknown
}

/** Decodes raw OWS records held in memory (a fixture, a generated dataset) as a ProcurementSource would. */
export const memorySourceItems = (records: Iterable<RawRecord>, description = "memory") =>
  Stream.fromIterable(records).pipe(
    Stream.map((r, i) => {
      const decoded = decodeRecord(r.kind, r.raw)
      return decoded.ok ? accepted(decoded.value) : rejected(locateRejection(decoded.rejection, description, i + 1))
    })
  )

export const layerMemoryProcurementSource = (
  records: Iterable<RawRecord>,
  description = "memory"
): Layer.Layer<ProcurementSource> =>
  Layer.succeed(
    ProcurementSource,
    ProcurementSource.of({ description, items: memorySourceItems(records, description) })
  )
