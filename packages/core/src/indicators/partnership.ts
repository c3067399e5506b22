import { Schema } from "effect"
import type { Bin } from "../domain/Bin.ts"
import { compareFractions, formatDecimal, formatFraction, fraction, fractionOfDecimal } from "../domain/Decimal.ts"
import type { Instant } from "../domain/Ids.ts"
import { contractDate, forEachFilteredRoot } from "./evaluation.ts"
import { PositiveInt, ShareThreshold, withDefault } from "./Filters.ts"
import { pairFindingKey } from "./Finding.ts"
import type { Indicator } from "./Indicator.ts"

export const PartnershipParams = Schema.Struct({
  minContracts: withDefault(PositiveInt, 5),
  supplierShare: withDefault(ShareThreshold, 0.8),
  customerShare: withDefault(ShareThreshold, 0.5)
})
export type PartnershipParams = typeof PartnershipParams.Type

interface PairTally {
  readonly customerBin: string
  readonly supplierBin: string
  count: number
  latest: number
}

export const partnership: Indicator<PartnershipParams> = {
  code: "partnership",
  titles: {
    ru: "Устойчивое партнёрство заказчика и поставщика",
    kk: "Тапсырыс беруші мен өнім берушінің тұрақты серіктестігі",
    en: "Customer–supplier partnership"
  },
  formula:
    "over root contracts passing the filters: supplier share = Npair / Nsupplier, customer share = Npair / Ncustomer; " +
    "flag the pair when Npair ≥ min, supplier share ≥ S and customer share ≥ K",
  description:
    "A supplier that lives off one customer, and a customer that buys mostly from that supplier: a closed " +
    "relationship that competition should not produce.",
  scope: "pair",
  params: PartnershipParams,
  parameterDocs: [
    { name: "minContracts", description: "min: the least number of contracts between the pair", default: 5 },
    {
      name: "supplierShare",
      description: "S: the least share of the supplier's contracts that go to this customer",
      default: 0.8
    },
    {
      name: "customerShare",
      description: "K: the least share of the customer's contracts that go to this supplier",
      default: 0.5
    }
  ],
  evaluate: (dataset, params, filters, sink) => {
    const pairs = new Map<string, PairTally>()
    const bySupplier = new Map<string, number>()
    const byCustomer = new Map<string, number>()
    forEachFilteredRoot(dataset, filters, sink, (_chain, root) => {
      const key = root.customerBin + root.supplierBin
      const date = contractDate(root)
      const tally = pairs.get(key)
      if (tally === undefined)
        pairs.set(key, { customerBin: root.customerBin, supplierBin: root.supplierBin, count: 1, latest: date })
      else {
        tally.count++
        if (date > tally.latest) tally.latest = date
      }
      bySupplier.set(root.supplierBin, (bySupplier.get(root.supplierBin) ?? 0) + 1)
      byCustomer.set(root.customerBin, (byCustomer.get(root.customerBin) ?? 0) + 1)
    })
    const supplierMin = fractionOfDecimal(params.supplierShare)
    const customerMin = fractionOfDecimal(params.customerShare)
    const thresholds = {
      min_contracts: String(params.minContracts),
      supplier_share: formatDecimal(params.supplierShare),
      customer_share: formatDecimal(params.customerShare)
    }
    for (const pair of pairs.values()) {
      sink.evaluated()
      if (pair.count < params.minContracts) continue
      const nSupplier = bySupplier.get(pair.supplierBin) as number
      const nCustomer = byCustomer.get(pair.customerBin) as number
      const supplierShare = fraction(BigInt(pair.count), BigInt(nSupplier))
      const customerShare = fraction(BigInt(pair.count), BigInt(nCustomer))
      if (compareFractions(supplierShare, supplierMin) < 0 || compareFractions(customerShare, customerMin) < 0) continue
      const sShare = formatFraction(supplierShare)
      const cShare = formatFraction(customerShare)
      sink.emit({
        indicator: "partnership",
        key: pairFindingKey("partnership", pair.customerBin, pair.supplierBin),
        subject: { _tag: "pair", customerBin: pair.customerBin as Bin, supplierBin: pair.supplierBin as Bin },
        customerBin: pair.customerBin as Bin,
        supplierBin: pair.supplierBin as Bin,
        region: dataset.regionOf(pair.customerBin),
        date: pair.latest as Instant,
        measures: {
          pair_contracts: String(pair.count),
          supplier_contracts: String(nSupplier),
          customer_contracts: String(nCustomer),
          supplier_share: sShare,
          customer_share: cShare
        },
        thresholds,
        explanation: {
          ru: `Пара заключила ${pair.count} договоров: это доля ${sShare} всех договоров поставщика (${nSupplier}) и ${cShare} всех договоров заказчика (${nCustomer}).`,
          en: `The pair signed ${pair.count} contracts: a share of ${sShare} of the supplier's ${nSupplier} contracts and ${cShare} of the customer's ${nCustomer}.`
        }
      })
    }
  }
}
