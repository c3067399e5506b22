import type { BatchCounts, ImportReport } from "@adalqarau/adapters/postgres"
import { formatCount, renderTable } from "./output.ts"

const COLUMNS = ["read", "inserted", "updated", "unchanged", "rejected"] as const

const adds = (c: BatchCounts): boolean => c.read === c.inserted + c.updated + c.unchanged + c.rejected

/**
 * Whether an import's counts add up: `read = inserted + updated + unchanged + rejected` for every kind and in
 * total, and the kinds' counts sum to the total (the total read is the source's item count, taken apart from the
 * per-kind counts, so a record counted under no kind or under two shows here).
 */
export const importBalanced = (report: Pick<ImportReport, "total" | "byKind">): boolean => {
  const kinds = Object.values(report.byKind)
  return (
    adds(report.total) &&
    kinds.every(adds) &&
    COLUMNS.every((column) => kinds.reduce((n, c) => n + c[column], 0) === report.total[column])
  )
}

/** The counts per kind and in total as a table, with the check that they add up (as analyze prints its input). */
export const renderImportCounts = (report: Pick<ImportReport, "total" | "byKind">): string =>
  [
    renderTable({
      columns: [{ header: "kind" }, ...COLUMNS.map((header) => ({ header, align: "right" as const }))],
      rows: Object.entries(report.byKind).map(([kind, c]) => [
        kind,
        ...COLUMNS.map((column) => formatCount(c[column]))
      ]),
      footer: [["total", ...COLUMNS.map((column) => formatCount(report.total[column]))]]
    }),
    importBalanced(report)
      ? "read = inserted + updated + unchanged + rejected: holds for every kind"
      : "read = inserted + updated + unchanged + rejected: DOES NOT HOLD (a bug; please report it)"
  ].join("\n")
