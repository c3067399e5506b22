import { dumpingCases } from "./cases/dumping.ts"
import { growthCases } from "./cases/growth.ts"
import { partnershipCases } from "./cases/partnership.ts"
import { paymentCases } from "./cases/payment.ts"
import type { ChainCase, ClusterCase } from "./cases/types.ts"

/**
 * The planted cases. One "instance" of the catalogue plants every case once; larger datasets plant it several
 * times (see plan.ts), each time with fresh ids, subjects and amounts.
 */
export const CHAIN_CASES: ReadonlyArray<ChainCase> = [...dumpingCases, ...paymentCases, ...growthCases]

export const CLUSTER_CASES: ReadonlyArray<ClusterCase> = partnershipCases

/** Chains one instance of the catalogue occupies. */
export const CATALOGUE_CHAINS: number = CHAIN_CASES.length + CLUSTER_CASES.reduce((n, c) => n + c.roots, 0)
