/** Plain-text output shared by the commands: numbers, durations, aligned tables, wrapped paragraphs. */

const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })

/** 1234567 → "1,234,567". */
export const formatCount = (n: number): string => integerFormat.format(n)

/** Milliseconds as "850 ms", "3.2 s" or "2 min 05 s". */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`
}

/** Items per second over a duration; 0 for an empty or instant run. */
export const perSecond = (count: number, ms: number): number => (ms > 0 ? Math.round((count * 1000) / ms) : 0)

export type Align = "left" | "right"

export interface Column {
  readonly header: string
  readonly align?: Align
}

export interface Table {
  readonly columns: ReadonlyArray<Column>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  /** Rows under a second rule (totals). */
  readonly footer?: ReadonlyArray<ReadonlyArray<string>>
}

const pad = (text: string, width: number, align: Align): string =>
  align === "right" ? text.padStart(width) : text.padEnd(width)

/** Columns two spaces apart, each as wide as its widest cell; a rule under the header and above the footer. */
export const renderTable = (table: Table): string => {
  const all = [table.columns.map((c) => c.header), ...table.rows, ...(table.footer ?? [])]
  const widths = table.columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>): string =>
    table.columns
      .map((c, i) => pad(cells[i] ?? "", widths[i] ?? 0, c.align ?? "left"))
      .join("  ")
      .trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  const lines = [line(all[0] ?? []), rule, ...table.rows.map(line)]
  if (table.footer !== undefined && table.footer.length > 0) lines.push(rule, ...table.footer.map(line))
  return lines.join("\n")
}

/** Words wrapped to a width, each line indented. */
export const wrap = (text: string, width: number, indent = ""): string => {
  const lines: Array<string> = []
  let current = ""
  for (const word of text.split(/\s+/u).filter((w) => w !== "")) {
    if (current !== "" && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current)
      current = word
    } else current = current === "" ? word : `${current} ${word}`
  }
  if (current !== "") lines.push(indent + current)
  return lines.join("\n")
}

/** A value as compact JSON (parameter defaults, filter sets). */
export const formatValue = (value: unknown): string => JSON.stringify(value) ?? String(value)
