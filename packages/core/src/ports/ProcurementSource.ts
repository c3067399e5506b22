import { Context, Schema, type Stream } from "effect"
import type { SourceItem } from "../sources/SourceItem.ts"

export class ProcurementSourceError extends Schema.TaggedError<ProcurementSourceError>()("ProcurementSourceError", {
  /** What was being read: a file path, an URL, a source name. */
  source: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * Where procurement records come from: a folder of OWS-shaped JSONL files, the OWS API, a test fixture.
 * Every record read is emitted, accepted or rejected with its reason; only a failure of the source itself
 * (an unreadable file, a refused connection) fails the stream.
 */
export class ProcurementSource extends Context.Service<
  ProcurementSource,
  {
    /** A human-readable description of the source, for reports. */
    readonly description: string
    readonly items: Stream.Stream<SourceItem, ProcurementSourceError>
  }
>()("@adalqarau/core/ProcurementSource") {}
