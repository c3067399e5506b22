/**
 * A deterministic, seeded generator of goszakup-shaped test data with planted indicator cases and their
 * ground-truth labels (see generate.ts for the shape of the data and plan.ts for the options).
 */
export { generateDataset, generateStream } from "./generate.ts"
export {
  compareWithGroundTruth,
  formatGroundTruthReport,
  type GroundTruthReport
} from "./groundTruth.ts"
export {
  type GeneratedItem,
  type GeneratedLabel,
  type GeneratedRecord,
  type GroundTruthLabel,
  isLabel,
  withoutLabels
} from "./items.ts"
export {
  catalogueChains,
  type DatasetPlan,
  GENERATOR_DEFAULTS,
  type GeneratorOptions,
  type LabelCount,
  type PlannedCase,
  planDataset
} from "./plan.ts"
export type { TimeSpan } from "./context.ts"
export { GENERATOR_REF_IDS } from "./refs.ts"
export { GeneratedTally } from "./tally.ts"
