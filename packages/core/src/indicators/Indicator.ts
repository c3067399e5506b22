import type { Schema } from "effect"
import type { AnalysisDataset } from "./Dataset.ts"
import type { CommonFilters } from "./Filters.ts"
import type { Finding } from "./Finding.ts"

export interface Titles {
  readonly ru: string
  readonly kk: string
  readonly en: string
}

/** A documented parameter of an indicator (for catalogues, the CLI and the API). */
export interface ParameterDoc {
  readonly name: string
  readonly description: string
  readonly default: unknown
}

/**
 * A measure an indicator's findings carry. `decimal` measures are exact decimal strings, which finding filters can
 * range over (`measure=reduction_pct&measureMin=50`); `date` measures are Almaty calendar dates (YYYY-MM-DD).
 */
export interface MeasureDoc {
  readonly name: string
  readonly description: string
  readonly kind: "decimal" | "date"
}

/** What an indicator's evaluation reports besides findings: how many subjects it looked at and why it passed some over. */
export interface EvaluationSink {
  readonly emit: (finding: Finding) => void
  /** Counts one subject as evaluated (flagged or not). */
  readonly evaluated: () => void
  /** Counts one subject left out, with a short stable reason ("plan sum unknown", "status not in filter", …). */
  readonly skip: (reason: string) => void
}

/**
 * A risk indicator: a stable code, titles, a formula, a parameter schema with documented defaults, and a pure
 * evaluation over the analysis dataset. Register your own in an `IndicatorRegistry`.
 */
export interface Indicator<P = unknown> {
  readonly code: string
  readonly titles: Titles
  readonly formula: string
  readonly description: string
  readonly scope: "contract" | "chain" | "pair"
  /** Decodes the indicator's section of params.json; every field has a default, so `{}` decodes. */
  readonly params: Schema.Codec<P, unknown>
  readonly parameterDocs: ReadonlyArray<ParameterDoc>
  /**
   * The measures its findings may carry. Optional for indicators written before it existed; declared, they are
   * listed in the catalogue and a finding filter naming another measure is refused.
   */
  readonly measureDocs?: ReadonlyArray<MeasureDoc>
  readonly evaluate: (dataset: AnalysisDataset, params: P, filters: CommonFilters, sink: EvaluationSink) => void
}

/** Erases an indicator's parameter type for storage in a registry. */
export const anyIndicator = <P>(indicator: Indicator<P>): Indicator<unknown> => indicator as Indicator<unknown>
