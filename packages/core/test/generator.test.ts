import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, Stream } from "effect"
import {
  AcceleratedPaymentParams,
  analyzeRecords,
  DEFAULT_FILTERS,
  decodeRecord,
  type EvaluationResult,
  isValidBin,
  type ProcurementRecord,
  REGION_CODES,
  regionOfKato
} from "../src/index.ts"
import {
  compareWithGroundTruth,
  formatGroundTruthReport,
  type GeneratedItem,
  GeneratedTally,
  type GeneratorOptions,
  type GroundTruthLabel,
  generateDataset,
  GENERATOR_REF_IDS,
  generateStream,
  planDataset
} from "../src/testing/generator/index.ts"

const { status: CONTRACT_STATUS, contractType: CONTRACT_TYPE, yearType: YEAR_TYPE } = GENERATOR_REF_IDS

interface Dataset {
  readonly items: ReadonlyArray<GeneratedItem>
  readonly records: ReadonlyArray<ProcurementRecord>
  readonly labels: ReadonlyArray<GroundTruthLabel>
  readonly rejections: ReadonlyArray<string>
}

const cache = new Map<string, Dataset>()

/** Generates and decodes a dataset once per options (several tests read the same one). */
const dataset = (options: GeneratorOptions): Dataset => {
  const id = JSON.stringify(options)
  const cached = cache.get(id)
  if (cached !== undefined) return cached
  const items: Array<GeneratedItem> = []
  const records: Array<ProcurementRecord> = []
  const labels: Array<GroundTruthLabel> = []
  const rejections: Array<string> = []
  for (const item of generateDataset(options)) {
    items.push(item)
    if (item.kind === "label") {
      labels.push(item.label)
      continue
    }
    const decoded = decodeRecord(item.kind, item.raw)
    if (decoded.ok) records.push(decoded.value)
    else rejections.push(decoded.rejection.text)
  }
  const result = { items, records, labels, rejections }
  cache.set(id, result)
  return result
}

const analyze = (records: ReadonlyArray<ProcurementRecord>, params: unknown = {}): EvaluationResult =>
  Effect.runSync(analyzeRecords(records, { params }))

const rawContracts = (items: ReadonlyArray<GeneratedItem>): Array<Record<string, unknown>> =>
  items.flatMap((i) => (i.kind === "contract" ? [i.raw] : []))

const SMALL: GeneratorOptions = { contracts: 200, seed: 42 }

describe("generator: determinism", () => {
  const text = (options: GeneratorOptions): string => JSON.stringify([...generateDataset(options)])

  it("gives byte-identical output for the same seed and options, different output for another seed", () => {
    const first = text({ contracts: 2_000, seed: 7 })
    assert.strictEqual(text({ contracts: 2_000, seed: 7 }), first)
    assert.notStrictEqual(text({ contracts: 2_000, seed: 8 }), first)
    assert.notStrictEqual(text({ contracts: 2_000, seed: 7, startYear: 2023 }), first)
  })

  it.effect("generateStream emits what generateDataset yields", () =>
    Effect.gen(function* () {
      const streamed = yield* Stream.runCollect(generateStream({ contracts: 500, seed: 3 }))
      assert.strictEqual(JSON.stringify(streamed), JSON.stringify([...generateDataset({ contracts: 500, seed: 3 })]))
    })
  )

  it("rejects invalid options", () => {
    assert.throws(() => planDataset({ contracts: -1, seed: 1 }), RangeError)
    assert.throws(() => planDataset({ contracts: 10, seed: 0.5 }), RangeError)
    assert.throws(() => planDataset({ contracts: 10, seed: 1, plantedShare: 2 }), RangeError)
    // At the call, not at the first item.
    assert.throws(() => generateDataset({ contracts: 1.5, seed: 1 }), RangeError)
  })
})

describe("generator: raw records", () => {
  it("decode without a single rejection", () => {
    for (const options of [SMALL, { contracts: 5_000, seed: 1 }, { contracts: 5_000, seed: 2, startYear: 2019 }]) {
      const { rejections, records } = dataset(options)
      assert.deepStrictEqual(rejections.slice(0, 10), [], `rejections for ${JSON.stringify(options)}`)
      assert.isAbove(records.length, options.contracts)
    }
  })

  it("look like OWS exports: wall-clock times, money as numbers and as decimal text, valid BINs and KATO codes", () => {
    const { items } = dataset({ contracts: 5_000, seed: 1 })
    const timestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/u
    const moneyText = /^\d+\.\d{2}$/u
    let numbers = 0
    let texts = 0
    let bareDates = 0
    for (const item of items) {
      if (item.kind === "contract") {
        for (const field of ["crdate", "last_update_date"]) assert.match(String(item.raw[field]), timestamp)
        if (item.raw.sign_date !== null) assert.match(String(item.raw.sign_date), timestamp)
        const sum = item.raw.contract_sum_wnds
        if (typeof sum === "number") {
          numbers++
          assert.strictEqual(Math.round(sum * 100) / 100, sum)
        } else {
          texts++
          assert.match(String(sum), moneyText)
        }
        for (const field of ["customer_bin", "supplier_biin"]) {
          const bin = item.raw[field]
          if (bin !== null) assert.isTrue(isValidBin(String(bin)), `${field} ${String(bin)}`)
        }
      } else if (item.kind === "payment") {
        const date = String(item.raw.pay_date)
        if (dateOnly.test(date)) bareDates++
        else assert.match(date, timestamp)
      } else if (item.kind === "subject") {
        assert.isTrue(isValidBin(String(item.raw.bin)))
        const kato = item.raw.kato
        if (kato !== null) {
          assert.match(String(kato), /^\d{9}$/u)
          assert.isDefined(regionOfKato(String(kato)), String(kato))
        }
      }
    }
    assert.isAbove(numbers, 0)
    assert.isAbove(texts, 0)
    assert.isAbove(bareDates, 0)
  })

  it("chain amendments: type 2, parent_id to the previous version, root_id to the root", () => {
    const contracts = rawContracts(dataset({ contracts: 5_000, seed: 1 }).items)
    const byId = new Map(contracts.map((c) => [c.id, c]))
    let amendments = 0
    for (const c of contracts) {
      if (c.parent_id === null) {
        assert.isTrue(c.root_id === null || c.root_id === c.id, `root ${String(c.id)}`)
        continue
      }
      amendments++
      assert.strictEqual(c.ref_contract_type_id, CONTRACT_TYPE.amendment)
      const parent = byId.get(c.parent_id)
      // The planted "root not in data" case withholds the root on purpose; a parent-only chain has no root_id.
      if (parent !== undefined && c.root_id !== null) {
        assert.strictEqual(c.root_id, parent.parent_id === null ? parent.id : parent.root_id)
      }
    }
    assert.isAbove(amendments, 500)
  })

  it("includes exact duplicate rows, older copies of rows, and amendments streamed before their root", () => {
    const contracts = rawContracts(dataset({ contracts: 5_000, seed: 1 }).items)
    const seen = new Map<unknown, Record<string, unknown>>()
    let duplicates = 0
    let olderCopies = 0
    let amendmentFirst = 0
    const position = new Map(contracts.map((c, i) => [c.id, i]))
    contracts.forEach((c, i) => {
      const before = seen.get(c.id)
      if (before !== undefined) {
        if (before.last_update_date === c.last_update_date) duplicates++
        else olderCopies++
      }
      seen.set(c.id, c)
      if (c.root_id !== null && c.root_id !== c.id && (position.get(c.root_id) ?? -1) > i) amendmentFirst++
    })
    assert.isAbove(duplicates, 0)
    assert.isAbove(olderCopies, 0)
    assert.isAbove(amendmentFirst, 0)
  })

  it("names every reference-book id the default filters use, and some they leave out", () => {
    const refs = dataset(SMALL).items.flatMap((i) => (i.kind === "ref" ? [i.raw] : []))
    const ids = (book: string) => new Set(refs.filter((r) => r.book === book).map((r) => r.id))
    const statuses = ids("ref_contract_status")
    const accelerated = Schema.decodeUnknownSync(AcceleratedPaymentParams)({})
    for (const id of [...DEFAULT_FILTERS.statusIds, ...accelerated.statusIds]) assert.isTrue(statuses.has(id), `${id}`)
    for (const id of DEFAULT_FILTERS.contractTypeIds) assert.isTrue(ids("ref_contract_type").has(id))
    for (const id of DEFAULT_FILTERS.yearTypeIds) assert.isTrue(ids("ref_contract_year_type").has(id))
    // The excluded values the planted cases rely on really are outside the default filters.
    for (const id of [CONTRACT_STATUS.notConcluded, CONTRACT_STATUS.draft]) {
      assert.isTrue(statuses.has(id))
      assert.isFalse(DEFAULT_FILTERS.statusIds.includes(id))
    }
    assert.isFalse(accelerated.statusIds.includes(CONTRACT_STATUS.terminatedUnilaterally))
    assert.isTrue(DEFAULT_FILTERS.statusIds.includes(CONTRACT_STATUS.terminatedUnilaterally))
    assert.isFalse(DEFAULT_FILTERS.contractTypeIds.includes(CONTRACT_TYPE.framework))
    assert.isFalse(DEFAULT_FILTERS.yearTypeIds.includes(YEAR_TYPE.multiYear))
  })
})

describe("generator: ground truth", () => {
  const sizes: ReadonlyArray<GeneratorOptions> = [
    { contracts: 200, seed: 1 },
    { contracts: 200, seed: 99 },
    { contracts: 5_000, seed: 1 },
    { contracts: 5_000, seed: 2, startYear: 2019 },
    { contracts: 50_000, seed: 2024 }
  ]
  for (const options of sizes) {
    it(`engine findings equal the planted flags (${options.contracts} contracts, seed ${options.seed})`, () => {
      const { records, labels } = dataset(options)
      const result = analyze(records)
      const report = compareWithGroundTruth(labels, result.findings)
      assert.isTrue(report.ok, formatGroundTruthReport(report))
      assert.strictEqual(result.findings.length, labels.filter((l) => l.expected === "flag").length)
    })
  }

  it("a dataset without planted cases raises no finding at all", () => {
    const { records, labels } = dataset({ contracts: 20_000, seed: 5, plantedShare: 0 })
    assert.strictEqual(labels.length, 0)
    const report = compareWithGroundTruth(labels, analyze(records).findings)
    assert.isTrue(report.ok, formatGroundTruthReport(report))
  })

  it("plants at least one flag and one near-miss of every indicator, even in a small run", () => {
    const tally = new GeneratedTally()
    for (const item of generateDataset(SMALL)) tally.add(item)
    const codes = ["super-dumping", "minimal-dumping", "accelerated-payment", "sum-growth", "partnership"]
    const byIndicator = tally.labelsByIndicator
    for (const code of codes) {
      assert.isAtLeast(byIndicator[code]?.flag ?? 0, 1, `${code} flags`)
      assert.isAtLeast(byIndicator[code]?.nearMiss ?? 0, 1, `${code} near-misses`)
      assert.isTrue(
        tally.cases.some((c) => c.indicator === code && c.case.startsWith("excluded by")),
        `${code} has a case excluded by a filter`
      )
    }
  })

  it("emits exactly the labels the plan announces, with distinct keys", () => {
    for (const options of [SMALL, { contracts: 50_000, seed: 2024 }]) {
      const plan = planDataset(options)
      const { labels } = dataset(options)
      assert.strictEqual(labels.length, plan.labels)
      assert.strictEqual(new Set(labels.map((l) => l.key)).size, labels.length)
      const tally = new GeneratedTally()
      for (const label of labels) tally.add({ kind: "label", label })
      assert.deepStrictEqual(tally.labelsByIndicator, plan.labelsByIndicator)
      for (const planned of plan.cases) {
        const emitted = labels.filter((l) => l.case === planned.case && l.indicator === planned.indicator)
        assert.strictEqual(emitted.length, planned.count, planned.case)
      }
    }
  })

  it("counts chains as the option says: `contracts` roots, amendments on top", () => {
    const options = { contracts: 5_000, seed: 1 }
    const roots = new Set(
      rawContracts(dataset(options).items)
        .filter((c) => c.parent_id === null)
        .map((c) => c.id)
    )
    // One planted chain per catalogue instance withholds its root.
    assert.strictEqual(roots.size, options.contracts - planDataset(options).caseInstances)
  })

  /**
   * Near-misses sit at the boundary: nudging a threshold (or widening a filter) past them makes them flags. This
   * shows each is a real near miss, not a case that would pass for another reason.
   */
  const nudges: ReadonlyArray<readonly [indicator: string, caseName: string, params: unknown]> = [
    ["super-dumping", "reduction exactly 30%", { indicators: { "super-dumping": { threshold: 29.99 } } }],
    ["super-dumping", "reduction 29.99%", { indicators: { "super-dumping": { threshold: 29.98 } } }],
    [
      "super-dumping",
      "excluded by filter: status 330 (not concluded), reduction 50%",
      { filters: { statusIds: [...DEFAULT_FILTERS.statusIds, CONTRACT_STATUS.notConcluded] } }
    ],
    ["minimal-dumping", "reduction 1.01%", { indicators: { "minimal-dumping": { threshold: 1.01 } } }],
    [
      "minimal-dumping",
      "excluded by filter: contract type 3, reduction 0.5%",
      { filters: { contractTypeIds: [CONTRACT_TYPE.main, CONTRACT_TYPE.framework] } }
    ],
    [
      "accelerated-payment",
      "first payment exactly 5 days after creation",
      { indicators: { "accelerated-payment": { maxDays: 6 } } }
    ],
    [
      "accelerated-payment",
      "created 23:59:59, paid 5 calendar days later at 00:00:01 (4 days 2 s elapsed)",
      { indicators: { "accelerated-payment": { maxDays: 6 } } }
    ],
    [
      "accelerated-payment",
      "date-only pay_date 5 days after creation",
      { indicators: { "accelerated-payment": { maxDays: 6 } } }
    ],
    [
      "accelerated-payment",
      "excluded by the indicator's statuses: status 350 (terminated), paid after 1 day",
      { indicators: { "accelerated-payment": { statusIds: [190, 375, 390, 450, 350] } } }
    ],
    [
      "accelerated-payment",
      "excluded by filter: year type 2 (multi-year), paid after 1 day",
      { filters: { yearTypeIds: [YEAR_TYPE.oneYear, YEAR_TYPE.multiYear] } }
    ],
    ["sum-growth", "sum growth exactly 20%", { indicators: { "sum-growth": { threshold: 19.99 } } }],
    ["sum-growth", "sum growth 19.99%", { indicators: { "sum-growth": { threshold: 19.98 } } }],
    ["partnership", "4 pair contracts, both shares 1", { indicators: { partnership: { minContracts: 4 } } }],
    [
      "partnership",
      "supplier share 7/9 = 0.7778, just below 0.8",
      { indicators: { partnership: { supplierShare: 0.7777 } } }
    ],
    [
      "partnership",
      "customer share 5/11 = 0.4545, just below 0.5",
      { indicators: { partnership: { customerShare: 0.4545 } } }
    ],
    [
      "partnership",
      "excluded by filter: 2 of 6 pair contracts have status 330 (not concluded)",
      { filters: { statusIds: [...DEFAULT_FILTERS.statusIds, CONTRACT_STATUS.notConcluded] } }
    ]
  ]
  for (const [indicator, caseName, params] of nudges) {
    it(`near-miss turns into a flag once nudged: ${indicator} — ${caseName}`, () => {
      const { records, labels } = dataset(SMALL)
      const targets = labels.filter((l) => l.indicator === indicator && l.case === caseName)
      assert.isAbove(targets.length, 0, "the case is planted")
      const keys = new Set(analyze(records, params).findings.map((f) => f.key))
      for (const label of targets) {
        assert.strictEqual(label.expected, "near-miss")
        assert.isTrue(keys.has(label.key), `${label.key} is flagged with ${JSON.stringify(params)}`)
      }
    })
  }
})

describe("generator: shape of the market", () => {
  it("spreads customers over all 20 regions and skews their sizes", () => {
    const { items } = dataset({ contracts: 50_000, seed: 2024 })
    const regions = new Set<string>()
    for (const item of items) {
      if (item.kind === "subject" && item.raw.is_customer === 1 && item.raw.kato !== null) {
        regions.add(String(item.raw.kato).slice(0, 2))
      }
    }
    assert.deepStrictEqual([...regions].sort(), [...REGION_CODES].sort())
    const perCustomer = new Map<unknown, number>()
    for (const c of rawContracts(items)) {
      if (c.parent_id === null) perCustomer.set(c.customer_bin, (perCustomer.get(c.customer_bin) ?? 0) + 1)
    }
    const sizes = [...perCustomer.values()].sort((a, b) => b - a)
    const total = sizes.reduce((a, b) => a + b, 0)
    const topTenth = sizes.slice(0, Math.ceil(sizes.length / 10)).reduce((a, b) => a + b, 0)
    assert.isAbove(topTenth / total, 0.5, "the largest tenth of customers holds most contracts")
    assert.isAtMost(sizes[Math.floor(sizes.length / 2)] ?? 0, 20, "the median customer is small")
  })
})
