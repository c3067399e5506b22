import type { GeneratedItem, GroundTruthLabel } from "./items.ts"
import type { LabelCount } from "./plan.ts"

/** Counts what a generated stream held, for a CLI to print once generation ends (it keeps no records). */
export class GeneratedTally {
  private readonly records = new Map<string, number>()
  private readonly labels = new Map<string, { flag: number; nearMiss: number }>()
  private readonly caseCounts = new Map<string, number>()

  add(item: GeneratedItem): void {
    if (item.kind === "label") {
      this.addLabel(item.label)
      return
    }
    this.records.set(item.kind, (this.records.get(item.kind) ?? 0) + 1)
  }

  private addLabel(label: GroundTruthLabel): void {
    const tally = this.labels.get(label.indicator) ?? { flag: 0, nearMiss: 0 }
    if (label.expected === "flag") tally.flag++
    else tally.nearMiss++
    this.labels.set(label.indicator, tally)
    const caseKey = `${label.indicator}\t${label.expected}\t${label.case}`
    this.caseCounts.set(caseKey, (this.caseCounts.get(caseKey) ?? 0) + 1)
  }

  /** Records per kind (contract rows count every version, duplicates and stale copies included). */
  get recordsByKind(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.records)
  }

  get labelsByIndicator(): Readonly<Record<string, LabelCount>> {
    return Object.fromEntries([...this.labels].map(([k, v]) => [k, { ...v }]))
  }

  /** Label counts per (indicator, expected, case), sorted. */
  get cases(): ReadonlyArray<{ indicator: string; expected: string; case: string; count: number }> {
    return [...this.caseCounts]
      .map(([key, count]) => {
        const [indicator = "", expected = "", name = ""] = key.split("\t")
        return { indicator, expected, case: name, count }
      })
      .sort((a, b) =>
        a.indicator === b.indicator
          ? a.expected === b.expected
            ? a.case.localeCompare(b.case)
            : a.expected.localeCompare(b.expected)
          : a.indicator.localeCompare(b.indicator)
      )
  }
}
