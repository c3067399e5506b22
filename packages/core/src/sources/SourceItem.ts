import type { ProcurementRecord } from "../domain/Contract.ts"
import type { RecordRejection } from "./ows/RecordRejection.ts"

/** One record read from a source: accepted into the domain, or rejected with its reason. Nothing is dropped silently. */
export type SourceItem =
  | { readonly _tag: "Accepted"; readonly record: ProcurementRecord }
  | { readonly _tag: "Rejected"; readonly rejection: RecordRejection }

export const accepted = (record: ProcurementRecord): SourceItem => ({ _tag: "Accepted", record })
export const rejected = (rejection: RecordRejection): SourceItem => ({ _tag: "Rejected", rejection })
