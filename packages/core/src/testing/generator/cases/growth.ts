import { lessBy, moreBy } from "../amounts.ts"
import { type AmendmentPlan, buildChain, type ChainPlan } from "../builder.ts"
import type { ChainOrder } from "../chain.ts"
import { STATUS } from "../refs.ts"
import { type ChainCase, exactAmount, flag, INDICATOR, type LabelShape, nearMiss, passing } from "./types.ts"

/**
 * Sum growth over amendments: the root first, then versions by (sign_date, crdate, id), deleted ones left out;
 * growth = (last − first) × 100 / first on contract_sum_wnds and on fakt_sum_wnds; flag when either > 20.
 */
const SG = INDICATOR.sumGrowth
const SD = INDICATOR.superDumping

/** A chain starting at an exact sum C whose amendments are given as changes of C in basis points. */
const growth = (
  name: string,
  labels: ReadonlyArray<LabelShape>,
  steps: ReadonlyArray<number | (Omit<AmendmentPlan, "sum"> & { readonly bp: number })>,
  extra: Partial<ChainPlan> & { readonly order?: ChainOrder; readonly withholdRoot?: boolean } = {}
): ChainCase => ({
  name,
  labels,
  build: (ctx) => {
    const sum = exactAmount(ctx)
    const { order, withholdRoot, ...plan } = extra
    const chain = buildChain(ctx, {
      customer: ctx.customer,
      supplier: ctx.pickSupplier(),
      ...passing(ctx),
      statusId: STATUS.amended,
      contractSum: sum,
      rootFakt: null,
      amendments: steps.map((s) => {
        if (typeof s === "number") return { sum: moreBy(sum, s) }
        const { bp, ...rest } = s
        return { ...rest, sum: moreBy(sum, bp) }
      }),
      ...plan
    })
    if (order !== undefined) chain.order = order
    if (withholdRoot === true) chain.withholdRoot = true
    return chain
  }
})

export const growthCases: ReadonlyArray<ChainCase> = [
  growth("sum growth 35% over three amendments", [flag(SG)], [1000, 2000, 3500]),
  growth("sum growth exactly 20%", [nearMiss(SG)], [500, 2000]),
  growth("sum growth 20.01%", [flag(SG)], [2001]),
  growth("sum growth 19.99%", [nearMiss(SG)], [1999]),
  growth("sum fell 30%", [nearMiss(SG)], [-3000]),
  growth("intermediate version +50%, last +10%", [nearMiss(SG)], [5000, 1000]),
  growth("deleted last amendment +60% ignored, last kept +5%", [nearMiss(SG)], [500, { bp: 6000, deleted: true }]),
  growth("amendments listed before the root, in reverse", [flag(SG)], [1000, 3000], { order: "amendments-reversed" }),
  growth("chain linked by parent_id only (amendments without root_id)", [flag(SG)], [1500, 4000], {
    amendmentsWithoutRootId: true
  }),
  growth("unsigned amendment +40% sorts last", [flag(SG)], [{ bp: 4000, unsigned: true }, 500]),
  growth("excluded by filter: supplier BIN missing, growth 50%", [nearMiss(SG)], [5000], { supplier: null }),
  growth("root not in data (amendments only), growth 50%", [nearMiss(SG)], [5000], { withholdRoot: true }),
  {
    name: "actual-sum growth 25% only",
    labels: [flag(SG)],
    build: (ctx) => {
      const sum = exactAmount(ctx)
      const fakt = lessBy(sum, 5000)
      return buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        contractSum: sum,
        rootFakt: fakt,
        amendments: [{ sum, fakt: moreBy(fakt, 2500) }]
      })
    }
  },
  {
    name: "first actual sum 0 (growth undefined), contract sum +10%",
    labels: [nearMiss(SG)],
    build: (ctx) => {
      const sum = exactAmount(ctx)
      return buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        contractSum: sum,
        rootFakt: 0,
        amendments: [{ sum: moreBy(sum, 1000), fakt: moreBy(sum, 1000) }]
      })
    }
  },
  {
    name: "reduction 40% at tender, then sum growth 35% by amendments",
    labels: [flag(SD), flag(SG)],
    build: (ctx) => {
      const plan = exactAmount(ctx) * 5
      const sum = lessBy(plan, 4000)
      return buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        statusId: STATUS.amended,
        plan: [plan],
        contractSum: sum,
        rootFakt: null,
        amendments: [{ sum: moreBy(sum, 1500) }, { sum: moreBy(sum, 3500) }]
      })
    }
  }
]
