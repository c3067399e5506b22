import type { ChainView, AnalysisDataset, ContractFacts } from "./Dataset.ts"
import { type CommonFilters, filterReason } from "./Filters.ts"
import type { EvaluationSink } from "./Indicator.ts"
import { contractFindingKey, type Finding } from "./Finding.ts"
import type { Bin } from "../domain/Bin.ts"
import type { ContractId, Instant } from "../domain/Ids.ts"

/** A root contract that passed the common filters: both BINs and a positive sum are present. */
export interface FilteredRoot extends ContractFacts {
  readonly customerBin: string
  readonly supplierBin: string
  readonly sumWnds: number
}

export const ROOT_MISSING = "root contract not in data"

/**
 * Calls `f` for each chain whose root is present and passes the common filters; counts the others as skipped.
 * This is the root-only rule of indicators 1–5: amendments are reached through their chain, never on their own.
 */
export const forEachFilteredRoot = (
  dataset: AnalysisDataset,
  filters: CommonFilters,
  sink: EvaluationSink,
  f: (chain: ChainView, root: FilteredRoot) => void,
  statusIds?: ReadonlyArray<number>
): void => {
  for (const chain of dataset.chains) {
    const root = chain.root
    if (root === undefined) {
      sink.skip(ROOT_MISSING)
      continue
    }
    const reason = filterReason(root, filters, statusIds)
    if (reason !== undefined) {
      sink.skip(reason)
      continue
    }
    f(chain, root as FilteredRoot)
  }
}

/** The date a contract finding is filed under: the sign date, else the creation time. */
export const contractDate = (c: ContractFacts): number => c.signDate ?? c.crdate

/** Builds a finding about one (root) contract, with the customer's region. */
export const contractFinding = (
  dataset: AnalysisDataset,
  indicator: string,
  root: FilteredRoot,
  measures: Record<string, string>,
  thresholds: Record<string, string>,
  explanation: { readonly ru: string; readonly en: string }
): Finding => ({
  indicator,
  key: contractFindingKey(indicator, root.id),
  subject: { _tag: "contract", contractId: root.id as ContractId },
  customerBin: root.customerBin as Bin,
  supplierBin: root.supplierBin as Bin,
  region: dataset.regionOf(root.customerBin),
  date: contractDate(root) as Instant,
  measures,
  thresholds,
  explanation
})
