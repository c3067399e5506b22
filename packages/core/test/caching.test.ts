import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import { cachedFindingStore } from "../src/caching/CachedFindingStore.ts"
import { cachedSessionStore } from "../src/caching/CachedSessionStore.ts"
import { cachedUserStore } from "../src/caching/CachedUserStore.ts"
import type { ContractId } from "../src/domain/Ids.ts"
import type { Finding } from "../src/indicators/Finding.ts"
import { makeMemoryChangeFeed } from "../src/memory/MemoryChangeFeed.ts"
import { makeMemoryFindingStore } from "../src/memory/MemoryFindingStore.ts"
import { makeMemorySessionStore } from "../src/memory/MemorySessionStore.ts"
import { makeMemoryUserStore } from "../src/memory/MemoryUserStore.ts"
import { ChangeFeed } from "../src/ports/ChangeFeed.ts"
import { FindingStore, FindingStoreError } from "../src/ports/FindingStore.ts"
import { type RefreshSession, SessionStore } from "../src/ports/SessionStore.ts"
import type { UserId, Username } from "../src/ports/UserStore.ts"
import { at, CUSTOMER, SUPPLIER } from "./fixtures.ts"

const finding = (contractId: number): Finding => ({
  indicator: "accelerated-payment",
  key: `accelerated-payment:${contractId}`,
  subject: { _tag: "contract", contractId: contractId as ContractId },
  customerBin: CUSTOMER,
  supplierBin: SUPPLIER,
  region: null,
  date: at("2024-03-01T10:00:00+05:00"),
  measures: { days: "1" },
  thresholds: { max_days: "5" },
  explanation: { ru: "-", en: "-" }
})

/** The store other processes write to (no cache), counting the pages read from it. */
const setup = Effect.gen(function* () {
  const inner = yield* makeMemoryFindingStore
  let reads = 0
  const counted = FindingStore.of({
    ...inner,
    query: (q) =>
      Effect.suspend(() => {
        reads++
        return inner.query(q)
      })
  })
  const changes = makeMemoryChangeFeed()
  const cached = cachedFindingStore(counted, changes.feed)
  return { inner, cached, changes, reads: () => reads }
})

const keys = (page: { readonly findings: ReadonlyArray<Finding> }) => page.findings.map((f) => f.key)

describe("cached finding store", () => {
  it.effect("serves a page from memory until a change to the findings is announced", () =>
    Effect.gen(function* () {
      const { inner, cached, changes, reads } = yield* setup
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:1"])
      // Another process writes: until it is announced, the copy is what this process serves.
      yield* inner.replace(["accelerated-payment"], [finding(1), finding(2)])
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:1"])
      assert.strictEqual(reads(), 1)
      changes.announce("findings")
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), [
        "accelerated-payment:1",
        "accelerated-payment:2"
      ])
      assert.strictEqual(reads(), 2)
      // Another query is another copy; a users' announcement leaves findings alone.
      yield* cached.query({ limit: 1 })
      changes.announce("users")
      yield* cached.query({ limit: 1 })
      yield* cached.query({ limit: 10 })
      assert.strictEqual(reads(), 3)
    })
  )

  it.effect("forgets everything at once after a write through itself", () =>
    Effect.gen(function* () {
      const { cached } = yield* setup
      yield* cached.replace(["accelerated-payment"], [finding(1)])
      yield* cached.query({ limit: 10 })
      yield* cached.replace(["accelerated-payment"], [finding(3)])
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:3"])
    })
  )

  it.effect("reads through while the feed cannot vouch for hearing every change, and afterwards trusts no copy", () =>
    Effect.gen(function* () {
      const { inner, cached, changes } = yield* setup
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      yield* cached.query({ limit: 10 })
      changes.listening(false)
      yield* inner.replace(["accelerated-payment"], [finding(2)])
      // Deaf: the change was not announced, and is seen anyway.
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:2"])
      yield* inner.replace(["accelerated-payment"], [finding(3)])
      changes.listening(true)
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:3"])
    })
  )

  it.effect("over ChangeFeed.layerDeaf, reads every page from the store", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryFindingStore
      const deaf = yield* Effect.provide(Effect.service(ChangeFeed), ChangeFeed.layerDeaf)
      const cached = cachedFindingStore(inner, deaf)
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      yield* cached.query({ limit: 10 })
      yield* inner.replace(["accelerated-payment"], [finding(2)])
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:2"])
    })
  )

  it.effect("never serves a page read while a change was announced", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryFindingStore
      const changes = makeMemoryChangeFeed()
      const started = yield* Deferred.make<void>()
      const proceed = yield* Deferred.make<void>()
      let slow = true
      const gated = FindingStore.of({
        ...inner,
        // Reads its snapshot first, then stalls before answering, as a query whose rows are on their way does.
        query: (q) =>
          slow
            ? Effect.tap(inner.query(q), () =>
                Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(proceed))
              )
            : inner.query(q)
      })
      const cached = cachedFindingStore(gated, changes.feed)
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      const reading = yield* Effect.forkChild(cached.query({ limit: 10 }))
      yield* Deferred.await(started)
      // The read has started on the old findings; the new ones commit and are announced before it returns.
      yield* inner.replace(["accelerated-payment"], [finding(2)])
      changes.announce("findings")
      yield* Deferred.succeed(proceed, undefined)
      yield* Fiber.join(reading)
      slow = false
      assert.deepStrictEqual(keys(yield* cached.query({ limit: 10 })), ["accelerated-payment:2"])
    })
  )

  it.effect("reads large pages (exports) through, and keeps no failure", () =>
    Effect.gen(function* () {
      const { inner, cached, reads } = yield* setup
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      yield* cached.query({ limit: 1000 })
      yield* cached.query({ limit: 1000 })
      assert.strictEqual(reads(), 2)

      let failures = 1
      const flaky = FindingStore.of({
        ...inner,
        query: (q) =>
          failures-- > 0
            ? Effect.fail(new FindingStoreError({ operation: "query", message: "connection lost" }))
            : inner.query(q)
      })
      const overFlaky = cachedFindingStore(flaky, makeMemoryChangeFeed().feed)
      assert.strictEqual((yield* Effect.flip(overFlaky.query({ limit: 10 }))).message, "connection lost")
      assert.deepStrictEqual(keys(yield* overFlaky.query({ limit: 10 })), ["accelerated-payment:1"])
    })
  )

  it.effect("caches counts under the same rules", () =>
    Effect.gen(function* () {
      const { inner, cached, changes } = yield* setup
      yield* inner.replace(["accelerated-payment"], [finding(1)])
      assert.strictEqual((yield* cached.counts({}))[0]?.count, 1)
      yield* inner.replace(["accelerated-payment"], [finding(1), finding(2)])
      assert.strictEqual((yield* cached.counts({}))[0]?.count, 1)
      changes.announce("findings")
      assert.strictEqual((yield* cached.counts({}))[0]?.count, 2)
    })
  )
})

describe("cached user store", () => {
  const newUser = {
    username: "ann" as Username,
    displayName: "Ann",
    roles: ["viewer"] as const,
    regions: [],
    passwordHash: "h",
    at: at("2024-01-01T00:00:00Z")
  }

  it.effect("a user disabled through it is refused at once; elsewhere, once announced", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryUserStore
      const changes = makeMemoryChangeFeed()
      const cached = cachedUserStore(inner, changes.feed)
      const ann = yield* cached.create(newUser)
      const disabled = (id: UserId) =>
        Effect.map(
          cached.findById(id),
          Option.map((u) => u.disabled)
        )
      assert.deepStrictEqual(yield* disabled(ann.id), Option.some(false))
      yield* cached.update(ann.id, { disabled: true, at: at("2024-01-02T00:00:00Z") })
      assert.deepStrictEqual(yield* disabled(ann.id), Option.some(true))
      // Another process re-enables her: this one keeps its copy until the change is announced.
      yield* inner.update(ann.id, { disabled: false, at: at("2024-01-03T00:00:00Z") })
      assert.deepStrictEqual(yield* disabled(ann.id), Option.some(true))
      changes.announce("users")
      assert.deepStrictEqual(yield* disabled(ann.id), Option.some(false))
    })
  )
})

describe("cached session store", () => {
  const session = (tokenHash: string, familyId: string, fields: Partial<RefreshSession> = {}): RefreshSession => ({
    tokenHash,
    familyId,
    userId: "u1" as UserId,
    issuedAt: at("2024-01-01T00:00:00Z"),
    expiresAt: at("2024-02-01T00:00:00Z"),
    rotatedAt: null,
    revokedAt: null,
    ...fields
  })
  const revokedAt = at("2024-01-02T00:00:00Z")

  /** The store other processes write to, counting the questions asked of it. */
  const setup = Effect.gen(function* () {
    const inner = yield* makeMemorySessionStore
    let reads = 0
    const counted = SessionStore.of({
      ...inner,
      familyRevoked: (familyId) =>
        Effect.suspend(() => {
          reads++
          return inner.familyRevoked(familyId)
        })
    })
    const changes = makeMemoryChangeFeed()
    return { inner, cached: cachedSessionStore(counted, changes.feed), changes, reads: () => reads }
  })

  it.effect("a family revoked through it is refused at once; elsewhere, once announced", () =>
    Effect.gen(function* () {
      const { inner, cached, changes, reads } = yield* setup
      yield* cached.insert(session("a1", "fa"))
      yield* cached.insert(session("b1", "fb"))
      assert.isFalse(yield* cached.familyRevoked("fa"))
      assert.isFalse(yield* cached.familyRevoked("fa"))
      assert.strictEqual(reads(), 1, "asked once, then answered from memory")

      yield* cached.revokeFamily("fa", revokedAt)
      assert.isTrue(yield* cached.familyRevoked("fa"))
      // Another process logs out of fb: this one keeps its answer until the revocation is announced.
      assert.isFalse(yield* cached.familyRevoked("fb"))
      yield* inner.revokeFamily("fb", revokedAt)
      assert.isFalse(yield* cached.familyRevoked("fb"))
      changes.announce("users")
      assert.isFalse(yield* cached.familyRevoked("fb"), "a users' announcement leaves sessions alone")
      changes.announce("sessions")
      assert.isTrue(yield* cached.familyRevoked("fb"))
    })
  )

  it.effect("revoking a user's sessions through it is seen at once; logins and refreshes keep the answers", () =>
    Effect.gen(function* () {
      const { cached, reads } = yield* setup
      yield* cached.insert(session("a1", "fa"))
      assert.isFalse(yield* cached.familyRevoked("fa"))
      yield* cached.insert(session("a2", "fa"))
      yield* cached.consume("a1", revokedAt)
      assert.isFalse(yield* cached.familyRevoked("fa"))
      assert.strictEqual(reads(), 1)

      yield* cached.revokeUser("u1" as UserId, revokedAt)
      assert.isTrue(yield* cached.familyRevoked("fa"))
      // A session stored revoked answers for its family at once too.
      assert.isFalse(yield* cached.familyRevoked("fc"))
      yield* cached.insert(session("c1", "fc", { revokedAt }))
      assert.isTrue(yield* cached.familyRevoked("fc"))
    })
  )
})
