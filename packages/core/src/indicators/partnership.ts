import { Schema } from "effect"
import type { Bin } from "../domain/Bin.ts"
import { formatDecimal, formatFraction, fraction } from "../domain/Decimal.ts"
import type { Instant } from "../domain/Ids.ts"
import { contractDateAt, forEachPassingRoot } from "./columnar.ts"
import { IdIndex } from "./dataset/IdIndex.ts"
import { compareScaledRatio, exactThreshold } from "./exact.ts"
import { PositiveInt, ShareThreshold, withDefault } from "./Filters.ts"
import { pairFindingKey } from "./Finding.ts"
import type { Indicator } from "./Indicator.ts"

export const PartnershipParams = Schema.Struct({
  minContracts: withDefault(PositiveInt, 5),
  supplierShare: withDefault(ShareThreshold, 0.8),
  customerShare: withDefault(ShareThreshold, 0.5)
})
export type PartnershipParams = typeof PartnershipParams.Type

export const partnership: Indicator<PartnershipParams> = {
  code: "partnership",
  titles: {
    ru: "Устойчивое партнёрство заказчика и поставщика",
    kk: "Тапсырыс беруші мен өнім берушінің тұрақты серіктестігі",
    en: "Customer–supplier partnership"
  },
  formula:
    "over root contracts passing the filters: supplier share = Npair / Nsupplier, customer share = Npair / Ncustomer; " +
    "flag the pair when Npair ≥ min, supplier share > S and customer share > K",
  description:
    "A supplier that lives off one customer, and a customer that buys mostly from that supplier: a closed " +
    "relationship that competition should not produce.",
  scope: "pair",
  params: PartnershipParams,
  measureDocs: [
    { name: "pair_contracts", description: "Npair: root contracts of the customer–supplier pair", kind: "decimal" },
    { name: "supplier_contracts", description: "Nsupplier: all of the supplier's root contracts", kind: "decimal" },
    { name: "customer_contracts", description: "Ncustomer: all of the customer's root contracts", kind: "decimal" },
    { name: "supplier_share", description: "Npair / Nsupplier", kind: "decimal" },
    { name: "customer_share", description: "Npair / Ncustomer", kind: "decimal" }
  ],
  parameterDocs: [
    { name: "minContracts", description: "min: the least number of contracts between the pair", default: 5 },
    {
      name: "supplierShare",
      description: "S: the share of the supplier's contracts going to this customer must exceed it",
      default: 0.8
    },
    {
      name: "customerShare",
      description: "K: the share of the customer's contracts going to this supplier must exceed it",
      default: 0.5
    }
  ],
  evaluate: (dataset, params, filters, sink) => {
    const c = dataset.table
    const binCount = dataset.binCount
    // Pairs by customer id × BIN count + supplier id: an integer key, no string per contract.
    const pairs = new IdIndex(dataset.chainTable.count)
    const pairCount: Array<number> = []
    const pairLatest: Array<number> = []
    const pairCustomer: Array<number> = []
    const pairSupplier: Array<number> = []
    const bySupplier = new Int32Array(binCount)
    const byCustomer = new Int32Array(binCount)
    forEachPassingRoot(dataset, filters, sink, (_chain, root) => {
      const customer = c.customerBin[root] as number
      const supplier = c.supplierBin[root] as number
      const date = contractDateAt(dataset, root)
      const pair = pairs.slotOrInsert(customer * binCount + supplier)
      if (pairs.inserted) {
        pairCount.push(1)
        pairLatest.push(date)
        pairCustomer.push(customer)
        pairSupplier.push(supplier)
      } else {
        pairCount[pair]++
        if (date > (pairLatest[pair] as number)) pairLatest[pair] = date
      }
      bySupplier[supplier]++
      byCustomer[customer]++
    })
    const supplierMin = exactThreshold(params.supplierShare)
    const customerMin = exactThreshold(params.customerShare)
    const thresholds = {
      min_contracts: String(params.minContracts),
      supplier_share: formatDecimal(params.supplierShare),
      customer_share: formatDecimal(params.customerShare)
    }
    for (let p = 0; p < pairCount.length; p++) {
      sink.evaluated()
      const count = pairCount[p] as number
      if (count < params.minContracts) continue
      const customer = pairCustomer[p] as number
      const supplier = pairSupplier[p] as number
      const nSupplier = bySupplier[supplier] as number
      const nCustomer = byCustomer[customer] as number
      if (
        compareScaledRatio(count, 1, nSupplier, supplierMin) <= 0 ||
        compareScaledRatio(count, 1, nCustomer, customerMin) <= 0
      )
        continue
      const supplierShare = fraction(BigInt(count), BigInt(nSupplier))
      const customerShare = fraction(BigInt(count), BigInt(nCustomer))
      const customerBin = dataset.binText(customer) as Bin
      const supplierBin = dataset.binText(supplier) as Bin
      const sShare = formatFraction(supplierShare)
      const cShare = formatFraction(customerShare)
      sink.emit({
        indicator: "partnership",
        key: pairFindingKey("partnership", customerBin, supplierBin),
        subject: { _tag: "pair", customerBin, supplierBin },
        customerBin,
        supplierBin,
        region: dataset.regionOfBinId(customer),
        date: pairLatest[p] as Instant,
        measures: {
          pair_contracts: String(count),
          supplier_contracts: String(nSupplier),
          customer_contracts: String(nCustomer),
          supplier_share: sShare,
          customer_share: cShare
        },
        thresholds,
        explanation: {
          ru: `Пара заключила ${count} договоров: это доля ${sShare} всех договоров поставщика (${nSupplier}) и ${cShare} всех договоров заказчика (${nCustomer}).`,
          en: `The pair signed ${count} contracts: a share of ${sShare} of the supplier's ${nSupplier} contracts and ${cShare} of the customer's ${nCustomer}.`
        }
      })
    }
  }
}
