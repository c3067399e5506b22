import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Stream } from "effect"
import * as fc from "fast-check"
import {
  accepted,
  analyzeRecords,
  analyzeStream,
  type Contract,
  DatasetBuilder,
  decodeRecord,
  type EvaluationResult,
  type Finding,
  type Instant,
  type ProcurementRecord,
  type RecordKind,
  type RecordRejection,
  rejected,
  type SourceItem,
  type Tiyn
} from "../src/index.ts"
import { binOf, contract, rawContract, rec, run } from "./fixtures.ts"

const HOUR = 3_600_000
const T0 = Date.UTC(2023, 0, 1, 4)

/** One generated chain: a root, its amendments, its plan and its payments. */
interface ChainGen {
  readonly customer: number
  readonly supplier: number
  readonly status: number
  readonly yearType: number
  readonly sum: number
  /** When set (and there is a plan), the sum is this many basis points below the plan instead: near-plan prices. */
  readonly belowPlanBp: number | null
  readonly fakt: number | null
  readonly plan: { readonly amount: number; readonly units: number; readonly missingLot: boolean } | null
  readonly createdHour: number
  readonly amendments: ReadonlyArray<{
    readonly sum: number
    readonly fakt: number | null
    readonly signHour: number | null
    readonly deleted: boolean
  }>
  readonly payments: ReadonlyArray<{ readonly version: number; readonly hour: number }>
  readonly staleCopy: boolean
}

const tiyn = fc.integer({ min: 0, max: 50_000_000 })

/** Party 0 is favoured so that pairs with enough contracts for partnership come up. */
const party = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }
)

const chainGen: fc.Arbitrary<ChainGen> = fc.record({
  customer: party,
  supplier: party,
  status: fc.constantFrom(190, 190, 390, 340, 330),
  yearType: fc.constantFrom(1, 1, 1, 2),
  sum: tiyn,
  belowPlanBp: fc.option(fc.integer({ min: -100, max: 200 })),
  fakt: fc.option(tiyn),
  plan: fc.option(fc.record({ amount: tiyn, units: fc.integer({ min: 1, max: 3 }), missingLot: fc.boolean() })),
  createdHour: fc.integer({ min: 0, max: 24 * 500 }),
  amendments: fc.array(
    fc.record({
      sum: tiyn,
      fakt: fc.option(tiyn),
      signHour: fc.option(fc.integer({ min: 0, max: 24 * 600 })),
      deleted: fc.boolean()
    }),
    { maxLength: 3 }
  ),
  payments: fc.array(
    fc.record({ version: fc.integer({ min: 0, max: 3 }), hour: fc.integer({ min: -48, max: 24 * 12 }) }),
    { maxLength: 3 }
  ),
  staleCopy: fc.boolean()
})

const KATOS = ["711110000", "751110000", "191234567", "991110000"]

/** Ids start at `idBase`; BINs come from seed ranges so that two worlds with different bases share no party. */
const world = (chains: ReadonlyArray<ChainGen>, idBase: number, binBase: number): Array<ProcurementRecord> => {
  const customer = (k: number) => binOf(binBase + k)
  const supplier = (k: number) => binOf(binBase + 100 + k)
  const records: Array<ProcurementRecord> = [0, 1, 2, 3].map((k) => rec.subject(customer(k), KATOS[k] ?? null))
  chains.forEach((g, i) => {
    const rootId = idBase + i * 10
    const sum =
      g.plan !== null && g.belowPlanBp !== null
        ? Math.max(0, g.plan.amount - Math.floor((g.plan.amount * g.belowPlanBp) / 10_000))
        : g.sum
    const version = (id: number, patch: Partial<Contract>): Contract => ({
      ...contract({ id }),
      customerBin: customer(g.customer),
      supplierBin: supplier(g.supplier),
      statusId: g.status,
      yearTypeId: g.yearType,
      crdate: (T0 + g.createdHour * HOUR) as Instant,
      signDate: (T0 + (g.createdHour + 2) * HOUR) as Instant,
      lastUpdateDate: (T0 + 1000 * 24 * HOUR) as Instant,
      contractSumWnds: sum as Tiyn,
      faktSumWnds: g.fakt as Tiyn | null,
      ...patch
    })
    records.push({ kind: "contract", value: version(rootId, {}) })
    if (g.staleCopy)
      records.push({
        kind: "contract",
        value: version(rootId, { contractSumWnds: (sum + 1) as Tiyn, lastUpdateDate: T0 as Instant })
      })
    g.amendments.forEach((a, j) => {
      const id = rootId + j + 1
      records.push({
        kind: "contract",
        value: version(id, {
          parentId: (id - 1) as Contract["parentId"],
          rootId: rootId as Contract["rootId"],
          contractSumWnds: a.sum as Tiyn,
          faktSumWnds: a.fakt as Tiyn | null,
          signDate: a.signHour === null ? null : ((T0 + a.signHour * HOUR) as Instant),
          deleted: a.deleted
        })
      })
    })
    if (g.plan !== null) {
      const lotId = rootId
      for (let u = 0; u < g.plan.units; u++) records.push(rec.unit(rootId + u, rootId, lotId))
      if (g.plan.missingLot) records.push(rec.unit(rootId + 5, rootId, lotId + 5))
      records.push({
        kind: "lot",
        value: { ...lotValue(lotId), amount: g.plan.amount as Tiyn }
      })
    }
    g.payments.forEach((p, k) => {
      const target = rootId + Math.min(p.version, g.amendments.length)
      records.push({
        kind: "payment",
        value: {
          ...paymentValue(rootId + k, target),
          payDate: (T0 + (g.createdHour + p.hour) * HOUR) as Instant
        }
      })
    })
  })
  return records
}

const lotValue = (id: number) => {
  const r = rec.lot(id, 1)
  if (r.kind !== "lot") throw new Error("lot")
  return r.value
}

const paymentValue = (id: number, contractId: number) => {
  const r = rec.payment(id, contractId, "2023-01-01 10:00:00")
  if (r.kind !== "payment") throw new Error("payment")
  return r.value
}

const chains = fc.array(chainGen, { maxLength: 20 })

/** Records in a random order (same multiset). */
const shuffledCopy = (records: ReadonlyArray<ProcurementRecord>) =>
  fc.shuffledSubarray([...records], { minLength: records.length, maxLength: records.length })

const chainCount = (records: ReadonlyArray<ProcurementRecord>): number => {
  const builder = new DatasetBuilder()
  for (const r of records) builder.add(r)
  return builder.build().chains.length
}

const isContractFinding = (f: Finding, ids: ReadonlySet<number>): boolean =>
  f.subject._tag === "contract" && ids.has(f.subject.contractId)

describe("properties of the in-memory analysis", () => {
  it("the result does not depend on record order", () => {
    fc.assert(
      fc.property(
        chains
          .map((cs) => world(cs, 1000, 3000))
          .chain((records) => fc.tuple(fc.constant(records), shuffledCopy(records))),
        ([records, shuffled]) => {
          assert.deepStrictEqual(run(shuffled), run(records))
        }
      ),
      { numRuns: 60 }
    )
  })

  it("records of unrelated customers and suppliers change no finding about the others", () => {
    fc.assert(
      fc.property(chains, chains, (mine, theirs) => {
        const own = world(mine, 1000, 3000)
        const other = world(theirs, 1_000_000, 5000)
        const ownIds = new Set(own.flatMap((r) => (r.kind === "contract" ? [r.value.id as number] : [])))
        const ownBins = new Set(own.flatMap((r) => (r.kind === "subject" ? [r.value.bin as string] : [])))
        const alone = run(own).findings
        const together = run([...other, ...own]).findings.filter(
          (f) => isContractFinding(f, ownIds) || (f.subject._tag === "pair" && ownBins.has(f.customerBin))
        )
        assert.deepStrictEqual(together, alone)
      }),
      { numRuns: 40 }
    )
  })

  it("stats account for every chain, and flagged counts match the findings", () => {
    fc.assert(
      fc.property(chains, (cs) => {
        const records = world(cs, 1000, 3000)
        const result: EvaluationResult = run(records)
        const chainsTotal = chainCount(records)
        for (const [code, stats] of Object.entries(result.stats)) {
          const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0)
          const findings = result.findings.filter((f) => f.indicator === code)
          assert.strictEqual(stats.flagged, findings.length, code)
          assert.isAtMost(stats.flagged, stats.evaluated, code)
          assert.strictEqual(new Set(findings.map((f) => f.key)).size, findings.length, code)
          if (code !== "partnership") assert.strictEqual(stats.evaluated + skipped, chainsTotal, code)
          else assert.isAtMost(skipped, chainsTotal)
        }
      }),
      { numRuns: 60 }
    )
  })

  it("super-dumping and minimal dumping never flag the same contract", () => {
    fc.assert(
      fc.property(chains, (cs) => {
        const result = run(world(cs, 1000, 3000))
        const superKeys = new Set(
          result.findings.filter((f) => f.indicator === "super-dumping").map((f) => JSON.stringify(f.subject))
        )
        for (const f of result.findings.filter((x) => x.indicator === "minimal-dumping"))
          assert.isFalse(superKeys.has(JSON.stringify(f.subject)))
      }),
      { numRuns: 60 }
    )
  })

  it("both dumping indicators agree with an exact reference, and never overlap while T_min ≤ T_super", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (plan, sum, a, b) => {
          // thresholds in tenths of a percent, so that both are exact decimals
          const [tMin, tSuper] = a <= b ? [a, b] : [b, a]
          const records = [
            { kind: "contract", value: { ...contract({ id: 1 }), contractSumWnds: sum as Tiyn } },
            rec.unit(1, 1, 1),
            { kind: "lot", value: { ...lotValue(1), amount: plan as Tiyn } }
          ] as Array<ProcurementRecord>
          const result = run(records, {
            only: ["super-dumping", "minimal-dumping"],
            indicators: { "super-dumping": { threshold: tSuper / 10 }, "minimal-dumping": { threshold: tMin / 10 } }
          })
          const flagged = (code: string) => result.findings.some((f) => f.indicator === code)
          const diff = BigInt(plan) - BigInt(sum)
          // r > T ⇔ (P − C) · 100 · 10 > t · P, with T = t / 10
          assert.strictEqual(flagged("super-dumping"), diff * 1000n > BigInt(tSuper) * BigInt(plan))
          assert.strictEqual(flagged("minimal-dumping"), diff > 0n && diff * 1000n <= BigInt(tMin) * BigInt(plan))
          assert.isFalse(flagged("super-dumping") && flagged("minimal-dumping"))
        }
      )
    )
  })
})

/** A raw record of a kind and a way to break it (or not). */
const BREAKS: ReadonlyArray<readonly [field: string, value: unknown]> = [
  ["customer_bin", "123456789012"],
  ["contract_sum_wnds", -1],
  ["contract_sum_wnds", "1.001"],
  ["crdate", "2023-02-30"],
  ["id", null],
  ["deleted", "maybe"]
]

interface RawGen {
  readonly kind: RecordKind
  readonly id: number
  readonly brokenBy: number | null
  readonly notAnObject: boolean
}

const rawGen: fc.Arbitrary<RawGen> = fc.record({
  kind: fc.constantFrom<RecordKind>("contract", "contract", "lot", "payment", "subject"),
  id: fc.integer({ min: 1, max: 40 }),
  brokenBy: fc.option(fc.integer({ min: 0, max: BREAKS.length - 1 }), { freq: 3 }),
  notAnObject: fc.boolean()
})

const rawOf = (g: RawGen): unknown => {
  if (g.brokenBy !== null && g.notAnObject) return [g.id]
  const broken = g.brokenBy === null ? undefined : BREAKS[g.brokenBy]
  switch (g.kind) {
    case "contract":
      return rawContract({ id: g.id, ...(broken === undefined ? {} : { [broken[0]]: broken[1] }) })
    case "lot":
      return { id: g.id, amount: broken === undefined ? "100.00" : "-100.00" }
    case "payment":
      return {
        id: g.id,
        contract_id: g.id,
        pay_date: broken === undefined ? "2023-05-11 10:00:00" : "yesterday",
        pay_amount: 1
      }
    default:
      return { bin: broken === undefined ? binOf(g.id) : "1", kato: "711110000" }
  }
}

const sourceItem = (g: RawGen): SourceItem => {
  const decoded = decodeRecord(g.kind, rawOf(g))
  return decoded.ok ? accepted(decoded.value) : rejected(decoded.rejection)
}

describe("streamed analysis", () => {
  it("refuses a progressEvery that is not a whole number of items, naming it", () => {
    for (const every of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const exit = Effect.runSyncExit(analyzeStream(Stream.empty, { progressEvery: every }))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), String(every))
      assert.include(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""), `got ${every}`)
    }
  })

  it("reads = accepted + rejected, per kind and in total, and rejected records reach onRejected", () => {
    fc.assert(
      fc.property(fc.array(rawGen, { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (gens, every) => {
        const items = gens.map(sourceItem)
        const good = items.flatMap((i) => (i._tag === "Accepted" ? [i.record] : []))
        const seen: Array<RecordRejection> = []
        let progress = 0
        const report = Effect.runSync(
          analyzeStream(Stream.fromIterable(items).pipe(Stream.rechunk(5)), {
            onRejected: (r) => Effect.sync(() => void seen.push(r)),
            onProgress: () => Effect.sync(() => void progress++),
            progressEvery: every
          })
        )
        const total = report.input.total
        assert.strictEqual(total.read, gens.length)
        assert.strictEqual(total.accepted, good.length)
        assert.strictEqual(total.rejected, gens.length - good.length)
        assert.strictEqual(total.read, total.accepted + total.rejected)
        for (const [kind, counts] of Object.entries(report.input.byKind)) {
          assert.strictEqual(counts.read, counts.accepted + counts.rejected, kind)
          assert.strictEqual(counts.read, gens.filter((g) => g.kind === kind).length, kind)
        }
        assert.strictEqual(seen.length, total.rejected)
        for (const r of seen) assert.isNotEmpty(r.reason)
        assert.strictEqual(progress, Math.floor(gens.length / every))
        const inMemory = Effect.runSync(analyzeRecords(good))
        assert.deepStrictEqual(report.findings, inMemory.findings)
        assert.deepStrictEqual(report.stats, inMemory.stats)
      })
    )
  })

  it("a broken record is rejected on the field that was broken", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: BREAKS.length - 1 }), (id, b) => {
        const [field, value] = BREAKS[b] as readonly [string, unknown]
        const decoded = decodeRecord("contract", rawContract({ id, [field]: value }))
        assert.isFalse(decoded.ok)
        if (!decoded.ok) assert.strictEqual(decoded.rejection.field, field)
      })
    )
  })
})
