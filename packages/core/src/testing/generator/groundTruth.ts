import type { Finding } from "../../indicators/Finding.ts"
import type { GroundTruthLabel } from "./items.ts"

/** How an engine's findings compare with a generated dataset's labels. */
export interface GroundTruthReport {
  /** Labels expecting a flag that no finding has. */
  readonly missing: ReadonlyArray<GroundTruthLabel>
  /** Near-miss labels the engine flagged anyway. */
  readonly flaggedNearMisses: ReadonlyArray<{ readonly label: GroundTruthLabel; readonly finding: Finding }>
  /** Findings no "flag" label explains (background that was not clean, or a wrong indicator). */
  readonly unexplained: ReadonlyArray<Finding>
  readonly ok: boolean
}

/** Compares findings with the labels: with default parameters the keys must equal the "flag" labels' keys. */
export const compareWithGroundTruth = (
  labels: Iterable<GroundTruthLabel>,
  findings: ReadonlyArray<Finding>
): GroundTruthReport => {
  const byKey = new Map<string, GroundTruthLabel>()
  for (const label of labels) {
    // A key can carry one label only; a second would make the truth ambiguous.
    if (byKey.has(label.key)) throw new Error(`two labels share the key ${label.key}`)
    byKey.set(label.key, label)
  }
  const found = new Map(findings.map((f) => [f.key, f]))
  const missing = [...byKey.values()].filter((l) => l.expected === "flag" && !found.has(l.key))
  const flaggedNearMisses: Array<{ label: GroundTruthLabel; finding: Finding }> = []
  const unexplained: Array<Finding> = []
  for (const finding of findings) {
    const label = byKey.get(finding.key)
    if (label === undefined) unexplained.push(finding)
    else if (label.expected === "near-miss") flaggedNearMisses.push({ label, finding })
  }
  return {
    missing,
    flaggedNearMisses,
    unexplained,
    ok: missing.length === 0 && flaggedNearMisses.length === 0 && unexplained.length === 0
  }
}

const measuresText = (f: Finding): string =>
  Object.entries(f.measures)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")

/** A readable account of the differences (at most `limit` lines per kind). */
export const formatGroundTruthReport = (report: GroundTruthReport, limit = 20): string => {
  if (report.ok) return "findings match the ground truth"
  const lines: Array<string> = []
  const section = <A>(title: string, items: ReadonlyArray<A>, line: (a: A) => string): void => {
    if (items.length === 0) return
    lines.push(`${title} (${items.length}):`)
    for (const item of items.slice(0, limit)) lines.push(`  ${line(item)}`)
    if (items.length > limit) lines.push(`  … and ${items.length - limit} more`)
  }
  section("planted flags not found", report.missing, (l) => `${l.key} — ${l.case}`)
  section(
    "near-misses flagged",
    report.flaggedNearMisses,
    ({ label, finding }) => `${label.key} — ${label.case}: ${measuresText(finding)}`
  )
  section("findings without a label", report.unexplained, (f) => `${f.key}: ${measuresText(f)}`)
  return lines.join("\n")
}
