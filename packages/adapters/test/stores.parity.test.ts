/**
 * The in-memory stores stand in for the SQL ones in other teams' tests, so where inputs are unusual they must
 * answer as the SQL stores do: keys in code-point order (PostgreSQL's "C" collation), a key given twice in one
 * replace (the later wins), NUL in a text filter or an instant past year 9999 (the same typed error), ids no
 * contract can have (nothing found), a negative limit (nothing listed), and user and finding writes the SQL
 * tables refuse (a username, role or region outside the rules, text PostgreSQL cannot hold, a finding that is not
 * a `Finding`).
 */
import {
  type Bin,
  type Contract,
  type ContractId,
  ContractStore,
  type Finding,
  FindingStore,
  type Instant,
  type Kato,
  type ProcurementRecord,
  REGION_CODES,
  type RegionCode,
  type RunId,
  RunStore,
  type Tiyn,
  type UserId,
  type Username,
  UserStore
} from "@adalqarau/core"
import {
  layerMemoryContractStore,
  layerMemoryFindingStore,
  layerMemoryRunStore,
  layerMemoryUserStore
} from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerStorage } from "../src/postgres/Database.ts"
import { backends } from "./support/databases.ts"

const finding = (indicator: string, key: string, region: string | null = "71"): Finding => ({
  indicator,
  key,
  subject: { _tag: "contract", contractId: 1 as ContractId },
  customerBin: "000000100106" as Finding["customerBin"],
  supplierBin: "000000200102" as Finding["supplierBin"],
  region: region as RegionCode | null,
  date: Date.UTC(2024, 2, 1) as Instant,
  measures: { days: "1" },
  thresholds: { max_days: "5" },
  explanation: { ru: "-", en: "-" }
})

const aContract = (id: number): Contract => ({
  id: id as ContractId,
  parentId: null,
  rootId: null,
  trdBuyId: null,
  statusId: 190,
  typeId: 1,
  yearTypeId: 1,
  subjectTypeId: 1,
  deleted: false,
  crdate: Date.UTC(2023, 4, 10) as Instant,
  lastUpdateDate: null,
  signDate: null,
  customerBin: "000000100106" as Bin,
  supplierBin: "000000200102" as Bin,
  contractNumber: "N1",
  contractNumberSys: null,
  finYear: 2023,
  currencyCode: "KZT",
  contractSum: null,
  contractSumWnds: 100_000 as Tiyn,
  faktSum: null,
  faktSumWnds: null,
  ecEndDate: null,
  planExecDate: null,
  faktExecDate: null,
  contractEndDate: null,
  cancelId: null,
  descriptionRu: null
})

/** What a store answers to the unusual inputs, as plain data to compare. */
const answers = Effect.gen(function* () {
  const findings = yield* FindingStore
  const contracts = yield* ContractStore
  // Beyond U+FFFF (a surrogate pair in UTF-16) against U+FFFD, U+FF21 and ASCII; one key given twice.
  yield* findings.replace(
    ["x", "😀", "Ａ"],
    [
      finding("x", "x:\u{10000}"),
      finding("x", "x:\uFFFD"),
      finding("x", "x:a", "75"),
      finding("x", "x:Ａ"),
      finding("x", "x:a", "79"),
      finding("😀", "😀:1"),
      finding("Ａ", "Ａ:1")
    ]
  )
  const pages: Array<ReadonlyArray<string>> = []
  let afterKey: string | undefined
  for (;;) {
    const page = yield* findings.query({ limit: 2, ...(afterKey === undefined ? {} : { afterKey }) })
    pages.push(page.findings.map((f) => `${f.key}@${f.region}`))
    if (page.nextKey === null) break
    afterKey = page.nextKey
  }
  const counts = (yield* findings.counts({})).map((c) => `${c.indicator}@${c.region}=${c.count}`)
  const failures = yield* Effect.all([
    Effect.flip(findings.query({ limit: 5, afterKey: "x:\u0000" })),
    Effect.flip(findings.counts({ indicators: ["x\u0000"] })),
    Effect.flip(contracts.search({ limit: 5, number: "N1\u0000" })),
    // Past year 9999: PostgreSQL would not read the bound back, so neither store takes it.
    Effect.flip(findings.query({ limit: 5, dateFrom: 9e15 as Instant })),
    Effect.flip(contracts.search({ limit: 5, signedFrom: 9e15 as Instant })),
    // A lone surrogate reaches PostgreSQL as U+FFFD, which pages after other keys than the raw text would.
    Effect.flip(findings.query({ limit: 5, afterKey: "x:\uD800" })),
    // A bound past numeric's range: refused alike, not a store failure in SQL alone.
    Effect.flip(findings.query({ limit: 5, measure: { name: "days", min: `1${"0".repeat(70)}` } }))
  ])
  // Ids no stored contract can have find nothing; a negative limit lists nothing.
  const missing = [
    Option.isNone(yield* contracts.getContract(1.5 as ContractId)),
    Option.isNone(yield* contracts.getChain(Number.NaN as ContractId))
  ]
  const users = yield* UserStore
  for (const username of ["ann", "bob", "cem"]) {
    yield* users.create({
      username: username as Username,
      displayName: username,
      roles: ["viewer"],
      regions: [],
      passwordHash: "h",
      at: Date.UTC(2025, 0, 1) as Instant
    })
  }
  const listed = (yield* users.list({ limit: -1 })).map((u) => u.username)
  // Writes the SQL table's CHECKs (and PostgreSQL text) refuse: the in-memory store refuses them alike.
  const newUser = {
    username: "dan" as Username,
    displayName: "dan",
    roles: ["viewer" as const],
    regions: [] as ReadonlyArray<RegionCode>,
    passwordHash: "h",
    at: Date.UTC(2025, 0, 1) as Instant
  }
  const ann = (yield* users.list({ limit: 1 }))[0]
  const refusedWrites = yield* Effect.all([
    Effect.flip(users.create({ ...newUser, username: "Dan Smith" as Username })),
    Effect.flip(users.create({ ...newUser, roles: ["root" as "admin"] })),
    Effect.flip(users.create({ ...newUser, regions: ["99" as RegionCode] })),
    Effect.flip(users.create({ ...newUser, displayName: "d\u0000n" })),
    Effect.flip(users.update(ann?.id as UserId, { displayName: "\uD800", at: newUser.at })),
    Effect.flip(users.update(ann?.id as UserId, { regions: ["7" as RegionCode], at: newUser.at }))
  ])
  const stillThree = (yield* users.list({ limit: 10 })).map((u) => `${u.username}:${u.displayName}:${u.regions}`)
  // Runs listed before any number a caller passes, as `id < beforeId` reads it.
  const runs = yield* RunStore
  for (let i = 0; i < 3; i++) yield* runs.create({ params: {}, requestedBy: ann?.id as UserId, at: newUser.at })
  const before: Array<ReadonlyArray<number>> = []
  for (const beforeId of [Number.NaN, 2.5, Number.POSITIVE_INFINITY, 1e19, -1]) {
    before.push((yield* runs.list({ beforeId: beforeId as RunId, limit: 10 })).map((r) => r.id))
  }
  // A measure named "__proto__" is a key like any other, read back as written.
  yield* findings.replace(["p"], [{ ...finding("p", "p:1"), measures: JSON.parse('{"__proto__":"5","v":"1"}') }])
  const proto = Object.keys((yield* findings.query({ limit: 1, indicators: ["p"] })).findings[0]?.measures ?? {})
  // Findings the SQL table cannot hold as given: refused whole, with the finding and the field named.
  const good = finding("x", "x:new")
  const refusedFindings = yield* Effect.all([
    Effect.flip(findings.replace(["x"], [good, { ...finding("x", "x:z"), explanation: { ru: "a\u0000", en: "-" } }])),
    Effect.flip(findings.replace(["x"], [good, { ...finding("x", "x:z"), measures: { days: "\uD800" } }])),
    Effect.flip(findings.replace(["x"], [good, { ...finding("x", "x:z"), thresholds: { "m\u0000": "5" } }])),
    Effect.flip(
      findings.replace(["x"], [good, { ...finding("x", "x:z"), customerBin: "12" as Finding["customerBin"] }])
    ),
    Effect.flip(findings.replace(["x"], [good, finding("x", "x:z", "99")])),
    Effect.flip(findings.replace(["x"], [good, { ...finding("x", "x:z"), date: 9e15 as Instant }])),
    // No finding at all: refused as such, not by a TypeError thrown while naming it.
    Effect.flip(findings.replace(["x"], [good, null as unknown as Finding]))
  ])
  const xAfterRefusals = (yield* findings.counts({ indicators: ["x"] })).map((c) => `${c.region}=${c.count}`)
  // Records the SQL tables cannot hold as given, beside a good one: the batch is refused whole.
  const goodContract: ProcurementRecord = { kind: "contract", value: aContract(900) }
  const subject = { bin: "000000100106" as Bin, nameRu: "Заказчик", nameKz: null, kato: "711210000" as Kato }
  const refusedRecords = yield* Effect.all(
    [
      { kind: "contract", value: { ...aContract(901), descriptionRu: "a\u0000b" } },
      { kind: "contract", value: { ...aContract(902), contractNumber: "\uDC00" } },
      { kind: "contract", value: { ...aContract(903), crdate: 9e15 as Instant } },
      { kind: "subject", value: { ...subject, kato: "7" as Kato } },
      { kind: "subject", value: { ...subject, nameKz: "\u0000" } },
      // Kinds named like Object.prototype's members, and values that are no record at all.
      { kind: "constructor", value: aContract(904) },
      { kind: "toString", value: aContract(905) },
      { kind: "subject", value: null },
      { kind: "contract", value: { ...aContract(906), id: undefined } }
    ].map((bad) => Effect.flip(contracts.upsert([goodContract, bad as ProcurementRecord])))
  )
  const storedAfterRefusals = yield* contracts.count
  return {
    pages,
    counts,
    failures: failures.map((e) => `${e._tag}: ${e.message}`),
    missing,
    listed,
    refusedWrites: refusedWrites.map((e) => `${e._tag}: ${e.message}`),
    stillThree,
    before,
    proto,
    refusedFindings: refusedFindings.map((e) => `${e._tag}: ${e.message}`),
    xAfterRefusals,
    refusedRecords: refusedRecords.map((e) => `${e._tag}: ${e.message}`),
    storedAfterRefusals
  }
})

describe("in-memory stores answer unusual inputs as the SQL stores do", () => {
  for (const backend of backends()) {
    it.effect(
      `keys in code-point order, a key given twice, NUL, far instants, odd ids, negative limits (${backend.name})`,
      () =>
        Effect.gen(function* () {
          const sql = yield* answers.pipe(Effect.provide(layerStorage(backend.layer())))
          const inMemory = yield* answers.pipe(
            Effect.provide(layerMemoryFindingStore),
            Effect.provide(layerMemoryContractStore),
            Effect.provide(layerMemoryUserStore),
            Effect.provide(layerMemoryRunStore)
          )
          assert.deepStrictEqual(inMemory, sql)
          assert.deepStrictEqual(sql.pages, [
            ["x:a@79", "x:Ａ@71"],
            ["x:\uFFFD@71", "x:\u{10000}@71"],
            ["Ａ:1@71", "😀:1@71"]
          ])
          assert.deepStrictEqual(sql.missing, [true, true])
          assert.deepStrictEqual(sql.listed, [])
          assert.deepStrictEqual(sql.refusedWrites, [
            `UserStoreError: username "Dan Smith": 3-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`,
            'UserStoreError: role "root" is not one of admin, analyst, viewer',
            'UserStoreError: region "99" is not a region code',
            "UserStoreError: display name must not contain the NUL character (U+0000)",
            "UserStoreError: display name must not contain a lone UTF-16 surrogate",
            'UserStoreError: region "7" is not a region code'
          ])
          assert.deepStrictEqual(sql.stillThree, ["ann:ann:", "bob:bob:", "cem:cem:"])
          assert.deepStrictEqual(sql.before, [[], [2, 1], [3, 2, 1], [3, 2, 1], []])
          // jsonb's order: the shorter key first.
          assert.deepStrictEqual(sql.proto, ["v", "__proto__"])
          assert.deepStrictEqual(sql.refusedFindings, [
            'FindingStoreError: invalid replace: finding "x:z": explanation.ru must not contain the NUL character (U+0000)',
            'FindingStoreError: invalid replace: finding "x:z": measures.days must not contain a lone UTF-16 surrogate',
            'FindingStoreError: invalid replace: finding "x:z": thresholds name must not contain the NUL character (U+0000)',
            'FindingStoreError: invalid replace: finding "x:z" is not a Finding: BIN must be exactly 12 digits at ["customerBin"]',
            `FindingStoreError: invalid replace: finding "x:z" is not a Finding: Expected ${REGION_CODES.map((c) => `"${c}"`).join(" | ")} at ["region"]`,
            'FindingStoreError: invalid replace: finding "x:z" is not a Finding: Expected a value between -62135596800000 and 253402300799999 at ["date"]',
            "FindingStoreError: invalid replace: a finding without a key is not a Finding: Expected object"
          ])
          // Nothing of a refused batch was written: the good finding beside the bad one is not there either.
          assert.deepStrictEqual(sql.xAfterRefusals, ["71=3", "79=1"])
          assert.deepStrictEqual(sql.refusedRecords, [
            'ContractStoreError: invalid upsert: contract "901": descriptionRu must not contain the NUL character (U+0000)',
            'ContractStoreError: invalid upsert: contract "902": contractNumber must not contain a lone UTF-16 surrogate',
            'ContractStoreError: invalid upsert: contract "903": Expected a value between -62135596800000 and 253402300799999 at ["crdate"]',
            'ContractStoreError: invalid upsert: subject "000000100106": KATO code must be 2 to 9 digits at ["kato"]',
            'ContractStoreError: invalid upsert: subject "000000100106": nameKz must not contain the NUL character (U+0000)',
            'ContractStoreError: invalid upsert: a record of kind "constructor", which no store keeps',
            'ContractStoreError: invalid upsert: a record of kind "toString", which no store keeps',
            "ContractStoreError: invalid upsert: a subject record: Expected object",
            'ContractStoreError: invalid upsert: a contract record: Expected number at ["id"]'
          ])
          // Nothing of a refused batch was written: not the good contract beside the bad record either.
          assert.strictEqual(sql.storedAfterRefusals.contract, 0)
          assert.deepStrictEqual(sql.counts, ["x@71=3", "x@79=1", "Ａ@71=1", "😀@71=1"])
          assert.deepStrictEqual(sql.failures, [
            "FindingStoreError: invalid query: text filters must not contain NUL characters",
            "FindingStoreError: invalid counts: text filters must not contain NUL characters",
            "ContractStoreError: invalid query: text filters must not contain NUL characters",
            'FindingStoreError: invalid query: Expected a value between -62135596800000 and 253402300799999\n  at ["dateFrom"]',
            'ContractStoreError: invalid query: Expected a value between -62135596800000 and 253402300799999\n  at ["signedFrom"]',
            "FindingStoreError: invalid query: text filters must not contain a lone UTF-16 surrogate",
            'FindingStoreError: invalid query: a decimal number of at most 64 characters\n  at ["measure"]["min"]'
          ])
        })
    )
  }
})
