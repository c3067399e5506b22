import { buildChain } from "../builder.ts"
import type { ChainSpec } from "../chain.ts"
import { STATUS } from "../refs.ts"
import type { SubjectSpec } from "../subjects.ts"
import { type ClusterCase, flag, INDICATOR, type LabelShape, nearMiss, passing } from "./types.ts"

/**
 * Partnership: over filtered root contracts, flag a pair when Npair ≥ 5, Npair / Nsupplier > 0.8 and
 * Npair / Ncustomer > 0.5. A cluster has its own customer and supplier; the customer's other contracts go to
 * fresh suppliers and the supplier's to fresh customers, one contract each, so every count is exact.
 */
const PS = INDICATOR.partnership

interface ClusterShape {
  /** Root contracts between the pair. */
  readonly pair: number
  /** Of those, how many have status 330 (left out by the filters). */
  readonly notConcluded?: number
  /** Amendments on each pair contract (they are not roots and must not count). */
  readonly amendmentsEach?: number
  /** The supplier's contracts with other customers. */
  readonly supplierElsewhere: number
  /** The customer's contracts with other suppliers. */
  readonly customerElsewhere: number
}

const cluster = (name: string, labels: ReadonlyArray<LabelShape>, shape: ClusterShape): ClusterCase => ({
  name,
  labels,
  roots: shape.pair + shape.supplierElsewhere + shape.customerElsewhere,
  build: (ctx) => {
    const customer = ctx.newSubject("planted-customer")
    const supplier = ctx.newSubject("planted-supplier")
    const subjects: Array<SubjectSpec> = [customer, supplier]
    const chains: Array<ChainSpec> = []
    for (let i = 0; i < shape.pair; i++) {
      const sum = ctx.prng.logUniformInt(500_000, 2_000_000_000)
      chains.push(
        buildChain(ctx, {
          customer: customer.ref,
          supplier: supplier.ref,
          ...passing(ctx),
          ...(i < (shape.notConcluded ?? 0) ? { statusId: STATUS.notConcluded } : {}),
          contractSum: sum,
          ...(shape.amendmentsEach === undefined
            ? {}
            : { amendments: Array.from({ length: shape.amendmentsEach }, (_, k) => ({ sum: sum + k * 100 })) })
        })
      )
    }
    for (let i = 0; i < shape.supplierElsewhere; i++) {
      const other = ctx.newSubject("planted-customer")
      subjects.push(other)
      chains.push(buildChain(ctx, { customer: other.ref, supplier: supplier.ref, ...passing(ctx) }))
    }
    for (let i = 0; i < shape.customerElsewhere; i++) {
      const other = ctx.newSubject("planted-supplier")
      subjects.push(other)
      chains.push(buildChain(ctx, { customer: customer.ref, supplier: other.ref, ...passing(ctx) }))
    }
    return { chains, subjects, customer: customer.ref, supplier: supplier.ref }
  }
})

export const partnershipCases: ReadonlyArray<ClusterCase> = [
  cluster("6 pair contracts: supplier share 6/7, customer share 6/10", [flag(PS)], {
    pair: 6,
    supplierElsewhere: 1,
    customerElsewhere: 4
  }),
  cluster("5 pair contracts (the minimum), both shares 1", [flag(PS)], {
    pair: 5,
    supplierElsewhere: 0,
    customerElsewhere: 0
  }),
  cluster("4 pair contracts, both shares 1", [nearMiss(PS)], { pair: 4, supplierElsewhere: 0, customerElsewhere: 0 }),
  cluster(
    "supplier share exactly 0.8 (8/10), customer share 8/12: a share equal to S does not exceed it",
    [nearMiss(PS)],
    {
      pair: 8,
      supplierElsewhere: 2,
      customerElsewhere: 4
    }
  ),
  cluster("supplier share 9/11 = 0.8182, just above 0.8, customer share 9/13", [flag(PS)], {
    pair: 9,
    supplierElsewhere: 2,
    customerElsewhere: 4
  }),
  cluster("supplier share 7/9 = 0.7778, just below 0.8", [nearMiss(PS)], {
    pair: 7,
    supplierElsewhere: 2,
    customerElsewhere: 1
  }),
  cluster(
    "customer share exactly 0.5 (5/10), supplier share 1: a share equal to K does not exceed it",
    [nearMiss(PS)],
    {
      pair: 5,
      supplierElsewhere: 0,
      customerElsewhere: 5
    }
  ),
  cluster("customer share 6/11 = 0.5455, just above 0.5, supplier share 1", [flag(PS)], {
    pair: 6,
    supplierElsewhere: 0,
    customerElsewhere: 5
  }),
  cluster("customer share 5/11 = 0.4545, just below 0.5", [nearMiss(PS)], {
    pair: 5,
    supplierElsewhere: 0,
    customerElsewhere: 6
  }),
  cluster("excluded by filter: 2 of 6 pair contracts have status 330 (not concluded)", [nearMiss(PS)], {
    pair: 6,
    notConcluded: 2,
    supplierElsewhere: 0,
    customerElsewhere: 0
  }),
  cluster("amendments are not roots: 4 pair contracts with 2 amendments each", [nearMiss(PS)], {
    pair: 4,
    amendmentsEach: 2,
    supplierElsewhere: 0,
    customerElsewhere: 0
  })
]
