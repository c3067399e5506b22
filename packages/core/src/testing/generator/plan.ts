import { dayOfDate } from "../../domain/CivilDays.ts"
import { CATALOGUE_CHAINS, CHAIN_CASES, CLUSTER_CASES } from "./catalogue.ts"
import type { TimeSpan } from "./context.ts"
import { supplierPoolSize } from "./market.ts"

export interface GeneratorOptions {
  /**
   * How many contract chains to generate: root contracts, each with its amendments (which come on top). When the
   * planted cases alone need more chains, the dataset has that many instead (see `planDataset`).
   */
  readonly contracts: number
  /** Any safe integer; the same seed and options give the same items, byte for byte. */
  readonly seed: number
  /** The first year contracts are created in (default 2022). */
  readonly startYear?: number
  /** How many years creation dates span (default 3). */
  readonly years?: number
  /**
   * About what share of the chains are planted cases (default 0.01). The whole catalogue of cases is planted
   * round(contracts × share / catalogue size) times, at least once; 0 plants nothing (a clean dataset).
   */
  readonly plantedShare?: number
}

/** Defaults of the optional generator options. */
export const GENERATOR_DEFAULTS = { startYear: 2022, years: 3, plantedShare: 0.01 } as const

export interface PlannedCase {
  readonly indicator: string
  readonly expected: "flag" | "near-miss"
  readonly case: string
  readonly count: number
}

export interface LabelCount {
  readonly flag: number
  readonly nearMiss: number
}

/** What a dataset will hold, known before generating it. */
export interface DatasetPlan {
  /** Contract chains (root contracts), planted ones included. */
  readonly chains: number
  readonly backgroundChains: number
  readonly plantedChains: number
  /** How many times the catalogue of cases is planted. */
  readonly caseInstances: number
  /** Background suppliers (each gets a subject record). */
  readonly suppliers: number
  readonly span: TimeSpan
  readonly labels: number
  readonly labelsByIndicator: Readonly<Record<string, LabelCount>>
  readonly cases: ReadonlyArray<PlannedCase>
}

const checkInteger = (name: string, value: number, min: number, max: number): void => {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`)
  }
}

/** The number of chains one instance of the catalogue needs (the least a dataset with planted cases has). */
export const catalogueChains = (): number => CATALOGUE_CHAINS

/** Checks the options and works out the dataset's composition; throws RangeError on invalid options. */
export const planDataset = (options: GeneratorOptions): DatasetPlan => {
  checkInteger("contracts", options.contracts, 0, 100_000_000)
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be a safe integer, got ${options.seed}`)
  const startYear = options.startYear ?? GENERATOR_DEFAULTS.startYear
  const years = options.years ?? GENERATOR_DEFAULTS.years
  checkInteger("startYear", startYear, 2000, 2090)
  checkInteger("years", years, 1, 10)
  const share = options.plantedShare ?? GENERATOR_DEFAULTS.plantedShare
  if (!(share >= 0 && share <= 1)) throw new RangeError(`plantedShare must be within 0..1, got ${share}`)

  const caseInstances = share === 0 ? 0 : Math.max(1, Math.round((options.contracts * share) / CATALOGUE_CHAINS))
  const plantedChains = caseInstances * CATALOGUE_CHAINS
  const chains = Math.max(options.contracts, plantedChains)
  const cases: Array<PlannedCase> = []
  const byIndicator: Record<string, { flag: number; nearMiss: number }> = {}
  for (const c of [...CHAIN_CASES, ...CLUSTER_CASES]) {
    for (const shape of c.labels) {
      cases.push({ indicator: shape.indicator, expected: shape.expected, case: c.name, count: caseInstances })
      const tally = byIndicator[shape.indicator] ?? { flag: 0, nearMiss: 0 }
      if (shape.expected === "flag") tally.flag += caseInstances
      else tally.nearMiss += caseInstances
      byIndicator[shape.indicator] = tally
    }
  }
  const firstDay = dayOfDate(startYear, 1, 10)
  return {
    chains,
    backgroundChains: chains - plantedChains,
    plantedChains,
    caseInstances,
    suppliers: supplierPoolSize(chains),
    // Creation dates stop before the span's end so that amendments and payments mostly fall inside it.
    span: { firstDay, days: dayOfDate(startYear + years, 1, 1) - firstDay - 30 },
    labels: cases.reduce((n, c) => n + c.count, 0),
    labelsByIndicator: byIndicator,
    cases
  }
}
