import { lessBy, moreBy } from "../amounts.ts"
import { buildChain, type ChainPlan, staleCopy } from "../builder.ts"
import { type ChainOrder, rootOf } from "../chain.ts"
import { CONTRACT_TYPE, STATUS } from "../refs.ts"
import {
  type ChainCase,
  exactAmount,
  flag,
  INDICATOR,
  type LabelShape,
  nearMiss,
  passing,
  type SlotContext
} from "./types.ts"

/** Price reduction cases: r = (P − C) × 100 / P; super-dumping flags r > 30, minimal dumping 0 < r ≤ 1. */
const SD = INDICATOR.superDumping
const MD = INDICATOR.minimalDumping

/** One contract whose C is P lowered by `bp` basis points (negative: raised), on a single lot unless told. */
const reduction = (
  name: string,
  labels: ReadonlyArray<LabelShape>,
  bp: number,
  extra: (ctx: SlotContext) => Partial<ChainPlan> = () => ({})
): ChainCase => ({
  name,
  labels,
  build: (ctx) => {
    const plan = exactAmount(ctx)
    return buildChain(ctx, {
      customer: ctx.customer,
      supplier: ctx.pickSupplier(),
      ...passing(ctx),
      plan: [plan],
      contractSum: bp >= 0 ? lessBy(plan, bp) : moreBy(plan, -bp),
      ...extra(ctx)
    })
  }
})

/** A root row with an older copy whose reduction differs: whichever row is newer decides. */
const staleRow = (
  name: string,
  labels: ReadonlyArray<LabelShape>,
  currentBp: number,
  staleBp: number,
  order: ChainOrder
): ChainCase => ({
  name,
  labels,
  build: (ctx) => {
    const plan = exactAmount(ctx)
    const chain = buildChain(ctx, {
      customer: ctx.customer,
      supplier: ctx.pickSupplier(),
      ...passing(ctx),
      plan: [plan],
      contractSum: lessBy(plan, currentBp)
    })
    chain.staleVersions.push(staleCopy(ctx, rootOf(chain), { sumWnds: lessBy(plan, staleBp) }))
    chain.order = order
    return chain
  }
})

export const dumpingCases: ReadonlyArray<ChainCase> = [
  reduction("reduction 45%", [flag(SD)], 4500),
  reduction("reduction 30.01%", [flag(SD)], 3001),
  reduction("reduction exactly 30%", [nearMiss(SD)], 3000),
  reduction("reduction 29.99%", [nearMiss(SD)], 2999),
  {
    name: "reduction 40% over three lots, two units on each",
    labels: [flag(SD)],
    build: (ctx) => {
      const lots = [exactAmount(ctx), exactAmount(ctx), exactAmount(ctx)]
      return buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        plan: lots,
        unitsPerLot: 2,
        contractSum: lessBy(
          lots.reduce((a, b) => a + b, 0),
          4000
        )
      })
    }
  },
  reduction("excluded by filter: status 330 (not concluded), reduction 50%", [nearMiss(SD)], 5000, () => ({
    statusId: STATUS.notConcluded
  })),
  reduction("excluded by filter: contract sum 0", [nearMiss(SD)], 0, () => ({ contractSum: 0 })),
  staleRow("older row with reduction 50% superseded (older row first)", [nearMiss(SD)], 1000, 5000, "stale-first"),
  staleRow("older row with reduction 50% superseded (older row last)", [nearMiss(SD)], 1000, 5000, "stale-last"),
  staleRow("newer row has reduction 50% (older clean row first)", [flag(SD)], 5000, 1000, "stale-first"),
  {
    name: "plan unknown: the unit names a lot missing from the data",
    labels: [nearMiss(SD), nearMiss(MD)],
    build: (ctx) =>
      buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        plan: "missing-lot",
        contractSum: 100
      })
  },
  {
    name: "older lot row with a larger amount superseded",
    labels: [nearMiss(SD)],
    build: (ctx) => {
      const plan = exactAmount(ctx)
      const chain = buildChain(ctx, {
        customer: ctx.customer,
        supplier: ctx.pickSupplier(),
        ...passing(ctx),
        plan: [plan],
        contractSum: lessBy(plan, 1000)
      })
      for (const lot of chain.lots) {
        chain.staleLots.push({ ...lot, amount: lot.amount * 3, lastUpdate: lot.lastUpdate - 7 * 86_400 })
      }
      chain.order = "stale-last"
      return chain
    }
  },
  reduction("reduction exactly 1%", [flag(MD)], 100),
  reduction("reduction 0.5%", [flag(MD)], 50),
  reduction("reduction 0.01%", [flag(MD)], 1),
  reduction("no reduction (C = P)", [nearMiss(MD)], 0),
  reduction("reduction 1.01%", [nearMiss(MD)], 101),
  reduction("contract 0.5% above plan", [nearMiss(MD)], -50),
  reduction("excluded by filter: deleted root, reduction 0.5%", [nearMiss(MD)], 50, () => ({ deleted: true })),
  reduction("excluded by filter: contract type 3, reduction 0.5%", [nearMiss(MD)], 50, () => ({
    typeId: CONTRACT_TYPE.framework
  })),
  reduction("excluded by filter: customer BIN missing, reduction 0.5%", [nearMiss(MD)], 50, () => ({ customer: null })),
  {
    name: "root row listed twice (same last_update_date), reduction 0.8%",
    labels: [flag(MD)],
    build: (ctx) => {
      const chain = reduction("", [], 80).build(ctx)
      chain.duplicateRoot = true
      return chain
    }
  }
]
