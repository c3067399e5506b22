/**
 * A deterministic batch of changes to about 1 % of a dataset's contracts, of every kind an incremental refresh
 * must follow: sums, statuses, new amendments (with and without root ids), new payments, moved suppliers,
 * financial years (a partition move), lot amounts, units pointing at another lot, and customers' regions.
 */
import {
  accepted,
  type Bin,
  type Contract,
  type ContractId,
  type ContractUnit,
  type Instant,
  isRootContract,
  type Kato,
  type Lot,
  type LotId,
  type PaymentId,
  type ProcurementRecord,
  type SourceItem,
  type Subject,
  type Tiyn
} from "@adalqarau/core"

/** mulberry32: a small seeded PRNG, so that the changes are the same on every run. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const DAY = 86_400_000
const KATOS = ["711110000", "751110000", "191010000", "999999999"] as const

export const changeAboutOnePercent = (
  records: ReadonlyArray<ProcurementRecord>,
  seed: number
): ReadonlyArray<SourceItem> => {
  const random = prng(seed)
  const pick = <A>(list: ReadonlyArray<A>): A => list[Math.floor(random() * list.length)] as A
  const contracts = new Map<number, Contract>()
  const unitsOf = new Map<number, Array<ContractUnit>>()
  const lots = new Map<number, Lot>()
  const subjects = new Map<string, Subject>()
  let maxId = 0
  for (const r of records) {
    if (r.kind === "contract") contracts.set(r.value.id, r.value)
    else if (r.kind === "unit") unitsOf.set(r.value.contractId, [...(unitsOf.get(r.value.contractId) ?? []), r.value])
    else if (r.kind === "lot") lots.set(r.value.id, r.value)
    else if (r.kind === "subject") subjects.set(r.value.bin, r.value)
    if ("id" in r.value && typeof r.value.id === "number" && r.kind !== "ref") maxId = Math.max(maxId, r.value.id)
  }
  const roots = [...contracts.values()].filter(isRootContract)
  const suppliers = [...new Set(roots.flatMap((c) => (c.supplierBin === null ? [] : [c.supplierBin])))]
  const lotIds = [...lots.keys()]
  const out: Array<ProcurementRecord> = []
  const newer = (c: Contract): Instant => ((c.lastUpdateDate ?? c.crdate) + DAY) as Instant
  const count = Math.max(10, Math.round(roots.length / 100))
  for (let i = 0; i < count; i++) {
    const root = pick(roots)
    const sum = root.contractSumWnds ?? (100_000 as Tiyn)
    switch (i % 10) {
      case 0:
        out.push({
          kind: "contract",
          value: { ...root, contractSumWnds: Math.round(sum * (0.3 + random())) as Tiyn, lastUpdateDate: newer(root) }
        })
        break
      case 1:
        out.push({
          kind: "contract",
          value: { ...root, statusId: pick([190, 330, 390, 450]), lastUpdateDate: newer(root) }
        })
        break
      case 2:
      case 3: {
        // An amendment; every other one names only its parent.
        const id = ++maxId as ContractId
        out.push({
          kind: "contract",
          value: {
            ...root,
            id,
            parentId: root.id,
            rootId: i % 4 === 2 ? root.id : null,
            contractSumWnds: Math.round(sum * (1 + random())) as Tiyn,
            faktSumWnds: root.faktSumWnds === null ? null : (Math.round(root.faktSumWnds * 1.5) as Tiyn),
            crdate: (root.crdate + 30 * DAY) as Instant,
            signDate: (root.crdate + 31 * DAY) as Instant,
            lastUpdateDate: newer(root)
          }
        })
        break
      }
      case 4:
        out.push({
          kind: "payment",
          value: {
            id: ++maxId as PaymentId,
            contractId: root.id,
            payDate: (root.crdate + Math.floor(random() * 8) * DAY) as Instant,
            payAmount: 100 as Tiyn,
            prepaySum: null
          }
        })
        break
      case 5:
        out.push({
          kind: "contract",
          value: { ...root, supplierBin: pick(suppliers) as Bin, lastUpdateDate: newer(root) }
        })
        break
      case 6:
        out.push({
          kind: "contract",
          value: { ...root, finYear: (root.finYear ?? 2023) + 1, lastUpdateDate: newer(root) }
        })
        break
      case 7: {
        const unit = unitsOf.get(root.id)?.[0]
        const lot = unit?.lotId === undefined || unit.lotId === null ? undefined : lots.get(unit.lotId)
        if (lot !== undefined)
          out.push({
            kind: "lot",
            value: {
              ...lot,
              amount: Math.round(lot.amount * 1.7) as Tiyn,
              lastUpdateDate: ((lot.lastUpdateDate ?? 0) + DAY) as Instant
            }
          })
        break
      }
      case 8: {
        const unit = unitsOf.get(root.id)?.[0]
        if (unit !== undefined && lotIds.length > 0)
          out.push({ kind: "unit", value: { ...unit, lotId: pick(lotIds) as LotId } })
        break
      }
      case 9: {
        const customer = root.customerBin === null ? undefined : subjects.get(root.customerBin)
        if (customer !== undefined) out.push({ kind: "subject", value: { ...customer, kato: pick(KATOS) as Kato } })
        break
      }
    }
  }
  return out.map(accepted)
}
