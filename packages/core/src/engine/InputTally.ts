import type { RecordKind } from "../domain/Contract.ts"
import type { SourceItem } from "../sources/SourceItem.ts"

export interface KindCounts {
  readonly read: number
  readonly accepted: number
  readonly rejected: number
}

/** Counts of what a run read, per record kind; `read = accepted + rejected` always holds. */
export class InputTally {
  private readonly counts = new Map<string, { read: number; accepted: number; rejected: number }>()

  count(item: SourceItem): void {
    const kind = item._tag === "Accepted" ? item.record.kind : item.rejection.kind
    let c = this.counts.get(kind)
    if (c === undefined) {
      c = { read: 0, accepted: 0, rejected: 0 }
      this.counts.set(kind, c)
    }
    c.read++
    if (item._tag === "Accepted") c.accepted++
    else c.rejected++
  }

  /** Counts records of a kind in bulk (sources that decode without making a `SourceItem` per record). */
  add(kind: string, acceptedCount: number, rejectedCount: number): void {
    let c = this.counts.get(kind)
    if (c === undefined) {
      c = { read: 0, accepted: 0, rejected: 0 }
      this.counts.set(kind, c)
    }
    c.read += acceptedCount + rejectedCount
    c.accepted += acceptedCount
    c.rejected += rejectedCount
  }

  byKind(): Readonly<Partial<Record<RecordKind | string, KindCounts>>> {
    return Object.fromEntries([...this.counts].map(([k, v]) => [k, { ...v }]))
  }

  total(): KindCounts {
    let read = 0
    let acceptedCount = 0
    let rejectedCount = 0
    for (const c of this.counts.values()) {
      read += c.read
      acceptedCount += c.accepted
      rejectedCount += c.rejected
    }
    return { read, accepted: acceptedCount, rejected: rejectedCount }
  }
}
