import { acceleratedPayment } from "../../../indicators/acceleratedPayment.ts"
import { minimalDumping } from "../../../indicators/minimalDumping.ts"
import { partnership } from "../../../indicators/partnership.ts"
import { sumGrowth } from "../../../indicators/sumGrowth.ts"
import { superDumping } from "../../../indicators/superDumping.ts"
import { EXACT_UNIT } from "../amounts.ts"
import type { ChainPlan } from "../builder.ts"
import type { ChainSpec } from "../chain.ts"
import type { GenContext } from "../context.ts"
import { CONTRACT_TYPE, STATUS, YEAR_TYPE } from "../refs.ts"
import type { SubjectRef, SubjectRole, SubjectSpec } from "../subjects.ts"

/**
 * Planted cases: each is built for the indicators' DEFAULT parameters (super-dumping T = 30 %, minimal dumping
 * T = 1 %, accelerated payment N = 5 days with statuses 190/375/390/450, sum growth T = 20 %, partnership
 * min 5, S = 0.8, K = 0.5) and the default common filters.
 */
export const INDICATOR = {
  superDumping: superDumping.code,
  minimalDumping: minimalDumping.code,
  acceleratedPayment: acceleratedPayment.code,
  sumGrowth: sumGrowth.code,
  partnership: partnership.code
} as const

export interface LabelShape {
  readonly indicator: string
  readonly expected: "flag" | "near-miss"
}

export const flag = (indicator: string): LabelShape => ({ indicator, expected: "flag" })
export const nearMiss = (indicator: string): LabelShape => ({ indicator, expected: "near-miss" })

/** A planted chain takes the place of one contract of a background customer. */
export interface SlotContext extends GenContext {
  readonly customer: SubjectRef
  /** A supplier for this customer that keeps the pair below the partnership minimum. */
  readonly pickSupplier: () => SubjectRef
}

/** A case about one contract chain; its labels' keys are `<indicator>:<root id>`. */
export interface ChainCase {
  readonly name: string
  readonly labels: ReadonlyArray<LabelShape>
  readonly build: (ctx: SlotContext) => ChainSpec
}

export interface ClusterContext extends GenContext {
  /** A fresh subject no other case and no background contract uses. */
  readonly newSubject: (role: Extract<SubjectRole, "planted-customer" | "planted-supplier">) => SubjectSpec
}

export interface PlantedCluster {
  readonly chains: ReadonlyArray<ChainSpec>
  readonly subjects: ReadonlyArray<SubjectSpec>
  readonly customer: SubjectRef
  readonly supplier: SubjectRef
}

/** A case about a customer–supplier pair: its own subjects and contracts; labels key `partnership:<c>:<s>`. */
export interface ClusterCase {
  readonly name: string
  readonly labels: ReadonlyArray<LabelShape>
  /** How many chains the cluster holds. */
  readonly roots: number
  readonly build: (ctx: ClusterContext) => PlantedCluster
}

/** A plan sum on which every whole basis-point change is a whole number of tiyn: 5 thousand to 200 million tenge. */
export const exactAmount = (ctx: GenContext): number => EXACT_UNIT * ctx.prng.logUniformInt(50, 2_000_000)

/** Root fields that pass every default filter, the accelerated-payment status set included. */
export const passing = (ctx: GenContext): Pick<ChainPlan, "statusId" | "typeId" | "yearTypeId" | "deleted"> => ({
  statusId: ctx.prng.pick([STATUS.active, STATUS.partlyExecuted, STATUS.executed]),
  typeId: CONTRACT_TYPE.main,
  yearTypeId: YEAR_TYPE.oneYear,
  deleted: false
})
