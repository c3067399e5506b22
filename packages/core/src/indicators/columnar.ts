import type { Bin } from "../domain/Bin.ts"
import type { ContractId, Instant } from "../domain/Ids.ts"
import type { AnalysisDataset } from "./Dataset.ts"
import { ROOT_MISSING } from "./evaluation.ts"
import type { CommonFilters } from "./Filters.ts"
import { contractFindingKey, type Finding } from "./Finding.ts"
import type { EvaluationSink } from "./Indicator.ts"

/**
 * The standard indicators' path over the dataset's columns: the same root-only rule and filters as
 * `forEachFilteredRoot` (same reasons, same order), by chain and version index, with no object per contract.
 */
const PASS = 0
const REASONS: ReadonlyArray<string> = [
  "",
  ROOT_MISSING,
  "deleted",
  "contract type not in filter",
  "year type not in filter",
  "status not in filter",
  "customer BIN missing",
  "supplier BIN missing",
  "contract sum not positive"
]

const has = (ids: ReadonlyArray<number>, value: number): boolean => !Number.isNaN(value) && ids.includes(value)

/** Per chain, the first filter its root fails (an index into `REASONS`), computed once per filter set. */
const filterCodes = (dataset: AnalysisDataset, filters: CommonFilters, statusIds: ReadonlyArray<number>): Uint8Array =>
  dataset.memoize(
    `filters:${filters.contractTypeIds.join(",")}|${filters.yearTypeIds.join(",")}|${statusIds.join(",")}`,
    () => {
      const chains = dataset.chainTable
      const c = dataset.table
      const codes = new Uint8Array(chains.count)
      for (let k = 0; k < chains.count; k++) {
        const i = chains.root[k] as number
        codes[k] =
          i < 0
            ? 1
            : c.deleted[i] === 1
              ? 2
              : !has(filters.contractTypeIds, c.typeId[i] as number)
                ? 3
                : !has(filters.yearTypeIds, c.yearTypeId[i] as number)
                  ? 4
                  : !has(statusIds, c.statusId[i] as number)
                    ? 5
                    : (c.customerBin[i] as number) < 0
                      ? 6
                      : (c.supplierBin[i] as number) < 0
                        ? 7
                        : !((c.sumWnds[i] as number) > 0)
                          ? 8
                          : PASS
      }
      return codes
    }
  )

/** Calls `f(chain, root)` for each chain whose root is present and passes the filters; counts the others skipped. */
export const forEachPassingRoot = (
  dataset: AnalysisDataset,
  filters: CommonFilters,
  sink: EvaluationSink,
  f: (chain: number, root: number) => void,
  statusIds: ReadonlyArray<number> = filters.statusIds
): void => {
  const codes = filterCodes(dataset, filters, statusIds)
  const roots = dataset.chainTable.root
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] as number
    if (code === PASS) f(k, roots[k] as number)
    else sink.skip(REASONS[code] as string)
  }
}

/** The date a contract finding is filed under: the sign date, else the creation time. */
export const contractDateAt = (dataset: AnalysisDataset, i: number): number => {
  const signed = dataset.table.signDate[i] as number
  return Number.isNaN(signed) ? (dataset.table.crdate[i] as number) : signed
}

/** A finding about root version `i` (which passed the filters, so both BINs are present). */
export const contractFindingAt = (
  dataset: AnalysisDataset,
  indicator: string,
  i: number,
  measures: Record<string, string>,
  thresholds: Record<string, string>,
  explanation: { readonly ru: string; readonly en: string }
): Finding => {
  const c = dataset.table
  const id = c.id[i] as number
  const customer = c.customerBin[i] as number
  return {
    indicator,
    key: contractFindingKey(indicator, id),
    subject: { _tag: "contract", contractId: id as ContractId },
    customerBin: dataset.binText(customer) as Bin,
    supplierBin: dataset.binText(c.supplierBin[i] as number) as Bin,
    region: dataset.regionOfBinId(customer),
    date: contractDateAt(dataset, i) as Instant,
    measures,
    thresholds,
    explanation
  }
}
