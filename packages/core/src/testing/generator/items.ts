import type { RecordKind } from "../../domain/Contract.ts"

/**
 * What the generator emits: raw OWS REST records (snake_case, exactly what `decodeRecord` reads) and the
 * ground truth about them.
 */
export interface GeneratedRecord {
  readonly kind: RecordKind
  readonly raw: Record<string, unknown>
}

/**
 * A planted fact the engine must reproduce with default parameters. `key` is a finding key
 * (`<indicator>:<root contract id>` or `partnership:<customer BIN>:<supplier BIN>`): with expected "flag" the
 * engine must raise exactly that finding; with "near-miss" it must not.
 */
export interface GroundTruthLabel {
  readonly indicator: string
  readonly key: string
  readonly expected: "flag" | "near-miss"
  /** A short description of the planted case, e.g. "reduction exactly 30%". */
  readonly case: string
}

export interface GeneratedLabel {
  readonly kind: "label"
  readonly label: GroundTruthLabel
}

export type GeneratedItem = GeneratedRecord | GeneratedLabel

export const isLabel = (item: GeneratedItem): item is GeneratedLabel => item.kind === "label"

/** The records of a generated stream without its labels, e.g. to feed a `ProcurementSource`. */
export function* withoutLabels(items: Iterable<GeneratedItem>): Generator<GeneratedRecord> {
  for (const item of items) if (item.kind !== "label") yield item
}
