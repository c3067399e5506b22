import { KIND_ORDER, type UnreadFile } from "@adalqarau/adapters/files"
import { type AnalysisReport, type KindCounts, REGIONS, type RegionCode, regionInfo } from "@adalqarau/core"
import { formatCount, formatDuration, perSecond, renderTable } from "./output.ts"

export interface KindSummary extends KindCounts {
  readonly kind: string
}

export interface IndicatorSummary {
  readonly code: string
  readonly evaluated: number
  readonly flagged: number
  readonly skipped: Readonly<Record<string, number>>
}

export interface RegionFindings {
  /** Two-digit region code, or null when the customer's region is unknown. */
  readonly region: RegionCode | null
  readonly name: string
  /** Findings per indicator code (every indicator run, 0 included). */
  readonly byIndicator: Readonly<Record<string, number>>
  readonly total: number
}

/** What `adalqarau analyze` prints (as tables, or as this JSON with --json). */
export interface AnalysisSummary {
  readonly source: string
  readonly elapsedMs: number
  readonly recordsPerSecond: number
  readonly input: {
    /** One entry per record kind, in reading order; kinds with no file are counted as 0. */
    readonly byKind: ReadonlyArray<KindSummary>
    readonly total: KindCounts
    /** read = accepted + rejected, for every kind and in total. */
    readonly balanced: boolean
  }
  readonly indicators: ReadonlyArray<IndicatorSummary>
  readonly findings: {
    readonly total: number
    /** Regions with at least one finding, in KATO order, the unknown region last. */
    readonly byRegion: ReadonlyArray<RegionFindings>
  }
  readonly files: {
    readonly findings?: string
    readonly rejects?: string
  }
  /** Regular files of the folder that were not read (a misnamed kind file, with the name it likely meant). */
  readonly unreadFiles: ReadonlyArray<UnreadFile>
}

export const UNKNOWN_REGION = "unknown"

const ZERO: KindCounts = { read: 0, accepted: 0, rejected: 0 }

export const summarize = (
  report: AnalysisReport,
  source: string,
  elapsedMs: number,
  files: AnalysisSummary["files"],
  unreadFiles: ReadonlyArray<UnreadFile> = []
): AnalysisSummary => {
  const kinds = [...KIND_ORDER, ...Object.keys(report.input.byKind).filter((k) => !KIND_ORDER.some((o) => o === k))]
  const byKind = kinds.map((kind) => ({ kind, ...(report.input.byKind[kind] ?? ZERO) }))
  const total = report.input.total
  const balanced =
    total.read === total.accepted + total.rejected && byKind.every((k) => k.read === k.accepted + k.rejected)

  const codes = Object.keys(report.stats)
  const indicators = codes.map((code) => {
    const stats = report.stats[code] as AnalysisReport["stats"][string]
    return { code, evaluated: stats.evaluated, flagged: stats.flagged, skipped: { ...stats.skipped } }
  })

  const counts = new Map<string, Record<string, number>>()
  for (const finding of report.findings) {
    const region = finding.region ?? UNKNOWN_REGION
    let row = counts.get(region)
    if (row === undefined) {
      row = Object.fromEntries(codes.map((code) => [code, 0]))
      counts.set(region, row)
    }
    row[finding.indicator] = (row[finding.indicator] ?? 0) + 1
  }
  const regionOrder: ReadonlyArray<RegionCode | null> = [...REGIONS.map((r) => r.code), null]
  const byRegion = regionOrder.flatMap((region): Array<RegionFindings> => {
    const row = counts.get(region ?? UNKNOWN_REGION)
    if (row === undefined) return []
    return [
      {
        region,
        name: region === null ? UNKNOWN_REGION : regionInfo(region).en,
        byIndicator: row,
        total: Object.values(row).reduce((a, b) => a + b, 0)
      }
    ]
  })

  return {
    source,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: perSecond(total.read, elapsedMs),
    input: { byKind, total, balanced },
    indicators,
    findings: { total: report.findings.length, byRegion },
    files,
    unreadFiles
  }
}

const n = formatCount

/** The summary as aligned plain-text tables. */
export const renderSummary = (summary: AnalysisSummary): string => {
  const { input, indicators, findings } = summary
  const sections: Array<string> = []

  sections.push(
    `Analysed ${summary.source}: ${n(input.total.read)} records in ${formatDuration(summary.elapsedMs)} ` +
      `(${n(summary.recordsPerSecond)} records/s)`
  )

  sections.push(
    [
      "Input",
      renderTable({
        columns: [
          { header: "kind" },
          { header: "read", align: "right" },
          { header: "accepted", align: "right" },
          { header: "rejected", align: "right" }
        ],
        rows: input.byKind.map((k) => [k.kind, n(k.read), n(k.accepted), n(k.rejected)]),
        footer: [["total", n(input.total.read), n(input.total.accepted), n(input.total.rejected)]]
      }),
      input.balanced
        ? "read = accepted + rejected: holds for every kind"
        : "read = accepted + rejected: DOES NOT HOLD (a bug; please report it)"
    ].join("\n")
  )

  sections.push(
    "Indicators\n" +
      renderTable({
        columns: [
          { header: "indicator" },
          { header: "evaluated", align: "right" },
          { header: "flagged", align: "right" },
          { header: "skipped", align: "right" },
          { header: "skip reason" }
        ],
        rows: indicators.flatMap((i) => {
          const reasons = Object.entries(i.skipped).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
          const skipped = reasons.reduce((sum, [, count]) => sum + count, 0)
          return [
            [
              i.code,
              n(i.evaluated),
              n(i.flagged),
              n(skipped),
              reasons.length > 1 ? "(all reasons)" : (reasons[0]?.[0] ?? "")
            ],
            ...(reasons.length > 1 ? reasons.map(([reason, count]) => ["", "", "", n(count), reason]) : [])
          ]
        })
      })
  )

  const codes = indicators.map((i) => i.code)
  sections.push(
    findings.total === 0
      ? "Findings by region: none"
      : "Findings by region\n" +
          renderTable({
            columns: [
              { header: "region" },
              { header: "name" },
              ...codes.map((code) => ({ header: code, align: "right" as const })),
              { header: "total", align: "right" }
            ],
            rows: findings.byRegion.map((r) => [
              r.region ?? "",
              r.name,
              ...codes.map((code) => n(r.byIndicator[code] ?? 0)),
              n(r.total)
            ]),
            footer: [["", "all regions", ...indicators.map((i) => n(i.flagged)), n(findings.total)]]
          })
  )

  const files: Array<string> = []
  if (summary.files.findings !== undefined)
    files.push(`findings: ${n(findings.total)} written to ${summary.files.findings}`)
  if (summary.files.rejects !== undefined)
    files.push(`rejected records: ${n(input.total.rejected)} written to ${summary.files.rejects}`)
  if (files.length > 0) sections.push(files.join("\n"))

  return sections.join("\n\n")
}
