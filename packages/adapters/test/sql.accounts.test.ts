/**
 * The account stores (UserStore, SessionStore, RunStore): one behavioural suite run against core's in-memory
 * stores, which define the semantics, and against the PostgreSQL stores on PGlite and PostgreSQL 15 (when the
 * test support has a cluster). Then what only a database adds: constraints, and `consume` staying atomic when a
 * second call has to wait for the first one's transaction.
 */
import {
  type IndicatorRunReport,
  type Instant,
  REGION_CODES,
  type RefreshSession,
  type Run,
  type RegionCode,
  type Role,
  type RunId,
  RunStore,
  SessionStore,
  type UserId,
  type Username,
  type UserPatch,
  UserStore
} from "@adalqarau/core"
import { layerMemoryRunStore, layerMemorySessionStore, layerMemoryUserStore } from "@adalqarau/core/testing"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Option, type Schema } from "effect"
import { SqlClient } from "effect/sql"
import { layerPgAccounts } from "../src/postgres/accounts/index.ts"
import { layerMigrations } from "../src/postgres/Database.ts"
import { backends } from "./support/databases.ts"

type Stores = UserStore | SessionStore | RunStore

const T0 = Date.UTC(2025, 0, 15, 9, 30, 0, 123)
/** Instants a few seconds apart, with milliseconds, so a lost millisecond would show. */
const at = (n: number): Instant => (T0 + n * 1_001) as Instant

const name = (s: string) => s as Username

const newUser = (
  username: string,
  roles: ReadonlyArray<Role> = ["viewer"],
  regions: ReadonlyArray<RegionCode> = []
) => ({
  username: name(username),
  displayName: `User ${username}`,
  roles,
  regions,
  passwordHash: `$scrypt$ln=15,r=8,p=1$salt-${username}$hash-${username}`,
  at: at(0)
})

const createUser = (username: string, roles?: ReadonlyArray<Role>, regions?: ReadonlyArray<RegionCode>) =>
  Effect.gen(function* () {
    return yield* (yield* UserStore).create(newUser(username, roles, regions))
  })

const session = (
  tokenHash: string,
  userId: UserId,
  familyId = "family-a",
  fields: Partial<RefreshSession> = {}
): RefreshSession => ({
  tokenHash,
  familyId,
  userId,
  issuedAt: at(1),
  expiresAt: at(100),
  rotatedAt: null,
  revokedAt: null,
  ...fields
})

const REPORT: IndicatorRunReport = {
  startedAt: at(3),
  finishedAt: at(4),
  indicators: ["super-dumping", "partnership"],
  findings: 17,
  stats: {
    "super-dumping": { evaluated: 1200, flagged: 12, skipped: { "no-plan-sum": 3 } },
    partnership: { evaluated: 80, flagged: 5, skipped: {} }
  },
  neverEvaluated: ["minimal-dumping", "accelerated-payment", "sum-growth"]
}

const PARAMS: Schema.Json = {
  filters: { regions: ["71", "75"], dateFrom: "2024-01-01" },
  indicators: { "super-dumping": { thresholdPct: 50 } },
  only: ["super-dumping"],
  nested: [1, 2.5, -3, true, null, "строка", { a: [] }]
}

/**
 * The suite: `shared` is built once per target (a database), `fresh` gives one test empty stores (new in-memory
 * stores, or the database's tables emptied).
 */
const accountsSuite = <R, E>(
  target: string,
  shared: Layer.Layer<R, E>,
  fresh: <A, E2>(test: Effect.Effect<A, E2, Stores>) => Effect.Effect<A, E2 | E, R>
) =>
  layer(shared, { excludeTestServices: true })(`account stores (${target})`, (it) => {
    it.effect("users: create, then find by id and by username", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          const created = yield* users.create(newUser("aigerim.n", ["analyst", "viewer"], ["75", "71"]))
          assert.deepStrictEqual(
            { ...created, id: "id" },
            {
              id: "id",
              username: "aigerim.n",
              displayName: "User aigerim.n",
              roles: ["analyst", "viewer"],
              regions: ["75", "71"],
              disabled: false,
              passwordHash: "$scrypt$ln=15,r=8,p=1$salt-aigerim.n$hash-aigerim.n",
              tokensRevokedAt: null,
              createdAt: at(0),
              updatedAt: at(0)
            }
          )
          assert.isAbove(created.id.length, 0)
          assert.deepStrictEqual(yield* users.findById(created.id), Option.some(created))
          assert.deepStrictEqual(yield* users.findByUsername(name("aigerim.n")), Option.some(created))
          assert.isTrue(Option.isNone(yield* users.findByUsername(name("aigerim"))))
          for (const unknown of [
            "u999",
            "00000000-0000-0000-0000-000000000000",
            "",
            "x\u0000y",
            created.id.toUpperCase()
          ])
            if (unknown !== created.id) assert.isTrue(Option.isNone(yield* users.findById(unknown as UserId)))
          assert.isTrue(Option.isNone(yield* users.findByUsername(name("aigerim.n\u0000"))))

          const other = yield* users.create(newUser("bolat"))
          assert.notStrictEqual(other.id, created.id)
        })
      )
    )

    it.effect("users: a taken username fails with UsernameTaken and leaves the first user alone", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          const first = yield* users.create(newUser("dana"))
          const error = yield* Effect.flip(users.create({ ...newUser("dana", ["admin"]), displayName: "Another" }))
          assert.strictEqual(error._tag, "UsernameTaken")
          assert.strictEqual(error._tag === "UsernameTaken" ? error.username : "", "dana")
          assert.deepStrictEqual(yield* users.findByUsername(name("dana")), Option.some(first))
          assert.strictEqual((yield* users.list({ limit: 10 })).length, 1)

          // Racing creates of one name: exactly one wins.
          const exits = yield* Effect.all(
            Array.from({ length: 4 }, () => Effect.exit(users.create(newUser("erlan")))),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          for (const exit of exits.filter(Exit.isFailure))
            assert.deepStrictEqual(
              Exit.findErrorOption(exit).pipe(Option.map((e) => e._tag)),
              Option.some("UsernameTaken")
            )
        })
      )
    )

    it.effect("users: list in username order, keyset-paged, without password hashes", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          for (const username of ["carol", "bob", "bob-2", "bobby", "a.li", "zhanna", "bob_x", "bob.y"])
            yield* createUser(username)
          const all = yield* users.list({ limit: 100 })
          const sorted = ["a.li", "bob", "bob-2", "bob.y", "bob_x", "bobby", "carol", "zhanna"]
          assert.deepStrictEqual(
            all.map((u) => u.username),
            sorted
          )
          for (const u of all) assert.isFalse("passwordHash" in u || "tokensRevokedAt" in u)

          const paged: Array<string> = []
          let after: string | undefined
          for (;;) {
            const page = yield* users.list(after === undefined ? { limit: 3 } : { afterUsername: after, limit: 3 })
            paged.push(...page.map((u) => u.username))
            if (page.length < 3) break
            after = page[page.length - 1]?.username
          }
          assert.deepStrictEqual(paged, sorted)

          const after_ = (afterUsername: string, limit = 100) =>
            Effect.map(users.list({ afterUsername, limit }), (page) => page.map((u) => u.username))
          assert.deepStrictEqual(yield* after_("bob"), sorted.slice(2))
          assert.deepStrictEqual(yield* after_("bob", 2), ["bob-2", "bob.y"])
          assert.deepStrictEqual(yield* after_("bo"), sorted.slice(1))
          assert.deepStrictEqual(yield* after_("bob\u0000x"), sorted.slice(2))
          assert.deepStrictEqual(yield* after_("Z"), sorted)
          assert.deepStrictEqual(yield* after_("zzz"), [])
          assert.deepStrictEqual(yield* after_("bob", 0), [])
          assert.deepStrictEqual(yield* after_("é"), [])
        })
      )
    )

    it.effect("users: update applies only the fields given; unknown ids answer none", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          const created = yield* createUser("gulnara", ["viewer"], ["71"])
          const renamed = yield* users.update(created.id, { displayName: "Гульнара", at: at(5) })
          assert.deepStrictEqual(renamed, Option.some({ ...created, displayName: "Гульнара", updatedAt: at(5) }))

          const changed = yield* users.update(created.id, {
            roles: ["admin", "analyst"],
            regions: [],
            disabled: true,
            passwordHash: "$scrypt$new",
            at: at(6)
          })
          const expected = {
            ...created,
            displayName: "Гульнара",
            roles: ["admin", "analyst"] as ReadonlyArray<Role>,
            regions: [] as ReadonlyArray<RegionCode>,
            disabled: true,
            passwordHash: "$scrypt$new",
            updatedAt: at(6)
          }
          assert.deepStrictEqual(changed, Option.some(expected))
          assert.deepStrictEqual(yield* users.findById(created.id), Option.some(expected))
          assert.deepStrictEqual(
            yield* users.update(created.id, { disabled: false, at: at(7) }),
            Option.some({ ...expected, disabled: false, updatedAt: at(7) })
          )
          assert.deepStrictEqual(
            yield* users.update(created.id, { at: at(8) }),
            Option.some({ ...expected, disabled: false, updatedAt: at(8) })
          )

          for (const unknown of ["u999", "00000000-0000-0000-0000-000000000000"])
            assert.isTrue(Option.isNone(yield* users.update(unknown as UserId, { displayName: "x", at: at(9) })))
        })
      )
    )

    it.effect("users: countActiveAdmins counts enabled users holding the admin role", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          assert.strictEqual(yield* users.countActiveAdmins, 0)
          const root = yield* createUser("root", ["admin"])
          yield* createUser("second", ["analyst", "admin"])
          yield* createUser("analyst", ["analyst"])
          yield* createUser("viewer", ["viewer"], ["71"])
          assert.strictEqual(yield* users.countActiveAdmins, 2)
          yield* users.update(root.id, { disabled: true, at: at(1) })
          assert.strictEqual(yield* users.countActiveAdmins, 1)
          yield* users.update(root.id, { disabled: false, roles: ["viewer"], at: at(2) })
          assert.strictEqual(yield* users.countActiveAdmins, 1)
        })
      )
    )

    it.effect("users: revokeTokens sets tokensRevokedAt to the patch's instant, and always moves it forward", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          const user = yield* createUser("revoked")
          const revokedAt = (patch: Omit<UserPatch, "at">, n: number) =>
            Effect.map(users.update(user.id, { ...patch, at: at(n) }), (u) => Option.map(u, (v) => v.tokensRevokedAt))
          assert.deepStrictEqual(yield* revokedAt({ displayName: "x" }, 1), Option.some(null))
          assert.deepStrictEqual(yield* revokedAt({ revokeTokens: true }, 5), Option.some(at(5)))
          // Another revocation at the same instant, or an earlier one (clocks differ), still changes the value.
          assert.deepStrictEqual(yield* revokedAt({ revokeTokens: true }, 5), Option.some((at(5) + 1) as Instant))
          assert.deepStrictEqual(yield* revokedAt({ revokeTokens: true }, 3), Option.some((at(5) + 2) as Instant))
          assert.deepStrictEqual(
            yield* revokedAt({ disabled: false, revokeTokens: false }, 6),
            Option.some((at(5) + 2) as Instant)
          )
          assert.deepStrictEqual(
            yield* revokedAt({ passwordHash: "$scrypt$2", revokeTokens: true }, 9),
            Option.some(at(9))
          )
          assert.deepStrictEqual(
            (yield* users.findById(user.id)).pipe(Option.map((u) => [u.tokensRevokedAt, u.passwordHash])),
            Option.some([at(9), "$scrypt$2"])
          )
        })
      )
    )

    it.effect("users: an update that would leave no active admin fails with LastActiveAdmin and changes nothing", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          const root = yield* createUser("root", ["admin", "analyst"])
          const retired = yield* createUser("retired", ["admin"])
          yield* users.update(retired.id, { disabled: true, at: at(1) })
          const viewer = yield* createUser("viewer")
          for (const patch of [
            { disabled: true },
            { roles: ["analyst"] as ReadonlyArray<Role> },
            { roles: [] as ReadonlyArray<Role>, disabled: true, passwordHash: "$scrypt$x", revokeTokens: true }
          ]) {
            const error = yield* Effect.flip(users.update(root.id, { ...patch, at: at(2) }))
            assert.strictEqual(error._tag, "LastActiveAdmin")
            assert.deepStrictEqual(yield* users.findById(root.id), Option.some(root))
          }
          // What keeps the admin, and what touches other users, goes through.
          const kept = yield* users.update(root.id, { roles: ["viewer", "admin"], disabled: false, at: at(3) })
          assert.deepStrictEqual(
            Option.map(kept, (u) => u.roles),
            Option.some<ReadonlyArray<Role>>(["viewer", "admin"])
          )
          assert.isTrue(Option.isSome(yield* users.update(retired.id, { roles: ["viewer"], at: at(4) })))
          assert.isTrue(Option.isSome(yield* users.update(viewer.id, { disabled: true, at: at(4) })))
          // With a second active admin, the first may go; then the second is the last.
          const second = yield* createUser("second", ["admin"])
          assert.isTrue(Option.isSome(yield* users.update(root.id, { disabled: true, at: at(5) })))
          const last = yield* Effect.flip(users.update(second.id, { roles: ["viewer"], at: at(6) }))
          assert.strictEqual(last._tag, "LastActiveAdmin")
          assert.strictEqual(yield* users.countActiveAdmins, 1)
          // Unknown ids still answer none.
          assert.isTrue(Option.isNone(yield* users.update("u999" as UserId, { disabled: true, at: at(7) })))
        })
      )
    )

    it.effect("users: of two concurrent updates removing each of the last two admins, exactly one succeeds", () =>
      fresh(
        Effect.gen(function* () {
          const users = yield* UserStore
          let survivor = yield* createUser("admin-0", ["admin"])
          for (let round = 1; round <= 8; round++) {
            const newcomer = yield* createUser(`admin-${round}`, ["admin", "viewer"])
            const removal = (n: number): Omit<UserPatch, "at"> =>
              n % 2 === 0 ? { disabled: true, revokeTokens: true } : { roles: ["viewer"] }
            const exits = yield* Effect.all(
              [
                Effect.exit(users.update(survivor.id, { ...removal(round), at: at(round) })),
                Effect.exit(users.update(newcomer.id, { ...removal(round + 1), at: at(round) }))
              ],
              { concurrency: "unbounded" }
            )
            assert.strictEqual(exits.filter(Exit.isSuccess).length, 1, `round ${round}`)
            for (const exit of exits.filter(Exit.isFailure))
              assert.deepStrictEqual(
                Exit.findErrorOption(exit).pipe(Option.map((e) => e._tag)),
                Option.some("LastActiveAdmin")
              )
            assert.strictEqual(yield* users.countActiveAdmins, 1, `round ${round}`)
            survivor = Exit.isSuccess(exits[0] as Exit.Exit<unknown, unknown>) ? newcomer : survivor
          }
        })
      )
    )

    it.effect("users: every role and every region code of core is accepted, in the order given", () =>
      fresh(
        Effect.gen(function* () {
          const user = yield* createUser("everywhere", ["viewer", "admin", "analyst"], [...REGION_CODES].reverse())
          assert.deepStrictEqual(user.roles, ["viewer", "admin", "analyst"])
          assert.deepStrictEqual(user.regions, [...REGION_CODES].reverse())
          const found = yield* (yield* UserStore).findById(user.id)
          assert.deepStrictEqual(found, Option.some(user))
        })
      )
    )

    it.effect("sessions: insert and find; inserting a known hash replaces the session", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const user = yield* createUser("sara")
          const plain = session("a".repeat(64), user.id)
          const used = session("b".repeat(64), user.id, "family-b", { rotatedAt: at(2), revokedAt: at(3) })
          yield* sessions.insert(plain)
          yield* sessions.insert(used)
          assert.deepStrictEqual(yield* sessions.find(plain.tokenHash), Option.some(plain))
          assert.deepStrictEqual(yield* sessions.find(used.tokenHash), Option.some(used))
          assert.isTrue(Option.isNone(yield* sessions.find("c".repeat(64))))
          assert.isTrue(Option.isNone(yield* sessions.find("a\u0000")))

          const replacement = { ...plain, familyId: "family-c", expiresAt: at(200), revokedAt: at(4) }
          yield* sessions.insert(replacement)
          assert.deepStrictEqual(yield* sessions.find(plain.tokenHash), Option.some(replacement))
        })
      )
    )

    it.effect("sessions: consume returns the session as it was and marks it rotated once", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const user = yield* createUser("timur")
          const s = session("1".repeat(64), user.id)
          yield* sessions.insert(s)

          assert.deepStrictEqual(yield* sessions.consume(s.tokenHash, at(10)), Option.some(s))
          const rotated = { ...s, rotatedAt: at(10) }
          assert.deepStrictEqual(yield* sessions.find(s.tokenHash), Option.some(rotated))
          // A reuse sees the first rotation and changes nothing.
          assert.deepStrictEqual(yield* sessions.consume(s.tokenHash, at(11)), Option.some(rotated))
          assert.deepStrictEqual(yield* sessions.find(s.tokenHash), Option.some(rotated))
          assert.isTrue(Option.isNone(yield* sessions.consume("2".repeat(64), at(12))))
          assert.isTrue(Option.isNone(yield* sessions.consume("1\u0000", at(12))))

          // A revoked session is still consumed (the caller refuses it by revokedAt).
          const revoked = session("3".repeat(64), user.id, "family-r", { revokedAt: at(5) })
          yield* sessions.insert(revoked)
          assert.deepStrictEqual(yield* sessions.consume(revoked.tokenHash, at(13)), Option.some(revoked))
          assert.deepStrictEqual(
            yield* sessions.find(revoked.tokenHash),
            Option.some({ ...revoked, rotatedAt: at(13) })
          )
        })
      )
    )

    it.effect("sessions: of two concurrent consumes of one token, exactly one sees rotatedAt null", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const user = yield* createUser("race")
          const tokens = Array.from({ length: 24 }, (_, i) => i.toString(16).padStart(64, "0"))
          yield* Effect.forEach(tokens, (hash) => sessions.insert(session(hash, user.id)), { discard: true })
          const results = yield* Effect.forEach(
            tokens,
            (hash) =>
              Effect.all([sessions.consume(hash, at(20)), sessions.consume(hash, at(21))], {
                concurrency: "unbounded"
              }),
            { concurrency: "unbounded" }
          )
          for (const [index, pair] of results.entries()) {
            const seen = pair.map((o) => Option.getOrThrow(o).rotatedAt)
            const fresh = seen.filter((r) => r === null).length
            assert.strictEqual(fresh, 1, `token ${index}: ${JSON.stringify(seen)}`)
            const winner = seen[0] === null ? at(20) : at(21)
            assert.strictEqual(
              seen.find((r) => r !== null),
              winner
            )
            const stored = yield* sessions.find(tokens[index] as string)
            assert.strictEqual(Option.getOrThrow(stored).rotatedAt, winner)
          }
        })
      )
    )

    it.effect("sessions: revokeFamily and revokeUser revoke what is not revoked yet, and nothing else", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const u1 = yield* createUser("user-one")
          const u2 = yield* createUser("user-two")
          const a1 = session("a1", u1.id, "fa")
          const a2 = session("a2", u1.id, "fa", { rotatedAt: at(2) })
          const a3 = session("a3", u1.id, "fa", { revokedAt: at(3) })
          const b1 = session("b1", u1.id, "fb")
          const c1 = session("c1", u2.id, "fc")
          const c2 = session("c2", u2.id, "fc", { revokedAt: at(4) })
          const d1 = session("d1", u2.id, "fd")
          const all = [a1, a2, a3, b1, c1, c2, d1]
          yield* Effect.forEach(all, (s) => sessions.insert(s), { discard: true })
          const state = Effect.forEach(all, (s) => Effect.map(sessions.find(s.tokenHash), Option.getOrThrow))

          yield* sessions.revokeFamily("fa", at(30))
          yield* sessions.revokeFamily("no-such-family", at(30))
          yield* sessions.revokeFamily("fa\u0000", at(30))
          assert.deepStrictEqual(yield* state, [
            { ...a1, revokedAt: at(30) },
            { ...a2, revokedAt: at(30) },
            a3,
            b1,
            c1,
            c2,
            d1
          ])

          yield* sessions.revokeUser(u2.id, at(31))
          yield* sessions.revokeUser("u999" as UserId, at(31))
          yield* sessions.revokeUser("00000000-0000-0000-0000-000000000000" as UserId, at(31))
          assert.deepStrictEqual(yield* state, [
            { ...a1, revokedAt: at(30) },
            { ...a2, revokedAt: at(30) },
            a3,
            b1,
            { ...c1, revokedAt: at(31) },
            c2,
            { ...d1, revokedAt: at(31) }
          ])
        })
      )
    )

    it.effect("sessions: familyRevoked says whether a stored session of the family is revoked", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const u1 = yield* createUser("user-one")
          const u2 = yield* createUser("user-two")
          yield* sessions.insert(session("a1", u1.id, "fa", { rotatedAt: at(2) }))
          yield* sessions.insert(session("a2", u1.id, "fa"))
          yield* sessions.insert(session("b1", u1.id, "fb", { revokedAt: at(3) }))
          yield* sessions.insert(session("c1", u2.id, "fc", { expiresAt: at(50) }))
          const revoked = Effect.forEach(["fa", "fb", "fc", "no-such-family", "fa\u0000"], (f) =>
            sessions.familyRevoked(f)
          )
          assert.deepStrictEqual(yield* revoked, [false, true, false, false, false])

          yield* sessions.revokeFamily("fa", at(30))
          assert.deepStrictEqual(yield* revoked, [true, true, false, false, false])
          // Replaced by a session of another family, b1 no longer answers for its old one.
          yield* sessions.insert(session("b1", u2.id, "fc", { expiresAt: at(50) }))
          assert.deepStrictEqual(yield* revoked, [true, false, false, false, false])
          yield* sessions.revokeUser(u2.id, at(31))
          assert.deepStrictEqual(yield* revoked, [true, false, true, false, false])
          // Once its sessions are deleted, a family is not known at all.
          assert.strictEqual(yield* sessions.deleteExpired(at(101)), 4)
          assert.deepStrictEqual(yield* revoked, [false, false, false, false, false])
        })
      )
    )

    it.effect("sessions: deleteExpired deletes the sessions that expired strictly before", () =>
      fresh(
        Effect.gen(function* () {
          const sessions = yield* SessionStore
          const user = yield* createUser("expiring")
          const expiring = [40, 41, 41, 42, 50].map((n, i) =>
            session(`e${i}`, user.id, "fe", { expiresAt: at(n), ...(i === 0 ? { revokedAt: at(2) } : {}) })
          )
          yield* Effect.forEach(expiring, (s) => sessions.insert(s), { discard: true })
          assert.strictEqual(yield* sessions.deleteExpired(at(40)), 0)
          assert.strictEqual(yield* sessions.deleteExpired(at(42)), 3)
          const left = yield* Effect.forEach(expiring, (s) => Effect.map(sessions.find(s.tokenHash), Option.isSome))
          assert.deepStrictEqual(left, [false, false, false, true, true])
          assert.strictEqual(yield* sessions.deleteExpired(at(42)), 0)
          assert.strictEqual(yield* sessions.deleteExpired((at(50) + 1) as Instant), 2)
        })
      )
    )

    it.effect("runs: create queued with increasing ids; get; unknown ids answer none", () =>
      fresh(
        Effect.gen(function* () {
          const runs = yield* RunStore
          const user = yield* createUser("analyst", ["analyst"])
          const first = yield* runs.create({ params: PARAMS, requestedBy: user.id, at: at(1) })
          assert.deepStrictEqual(
            { ...first, id: 0 },
            {
              id: 0,
              status: "queued",
              params: PARAMS,
              requestedBy: user.id,
              createdAt: at(1),
              startedAt: null,
              finishedAt: null,
              report: null,
              error: null
            }
          )
          assert.deepStrictEqual(yield* runs.get(first.id), Option.some(first))

          // params is any JSON value, kept as sent.
          const values: ReadonlyArray<Schema.Json> = [null, "text", 42, [], {}, { "": [{ k: "'; DROP TABLE x; --" }] }]
          let previous = first.id
          for (const params of values) {
            const run = yield* runs.create({ params, requestedBy: user.id, at: at(2) })
            assert.isAbove(run.id, previous)
            previous = run.id
            assert.deepStrictEqual((yield* runs.get(run.id)).pipe(Option.map((r) => r.params)), Option.some(params))
          }
          for (const unknown of [previous + 1, 0, -1, 1.5, 2 ** 60])
            assert.isTrue(Option.isNone(yield* runs.get(unknown as RunId)))
        })
      )
    )

    it.effect("runs: update sets the status and the fields given, keeping the others", () =>
      fresh(
        Effect.gen(function* () {
          const runs = yield* RunStore
          const user = yield* createUser("analyst", ["analyst"])
          const run = yield* runs.create({ params: PARAMS, requestedBy: user.id, at: at(1) })
          const running = { ...run, status: "running" as const, startedAt: at(2) }
          assert.deepStrictEqual(
            yield* runs.update(run.id, { status: "running", startedAt: at(2) }),
            Option.some(running)
          )
          const succeeded = { ...running, status: "succeeded" as const, finishedAt: at(5), report: REPORT }
          assert.deepStrictEqual(
            yield* runs.update(run.id, { status: "succeeded", finishedAt: at(5), report: REPORT }),
            Option.some(succeeded)
          )
          assert.deepStrictEqual(yield* runs.get(run.id), Option.some(succeeded))

          const other = yield* runs.create({ params: {}, requestedBy: user.id, at: at(6) })
          const error = { message: "unknown indicator", path: "indicators.nope" }
          assert.deepStrictEqual(
            yield* runs.update(other.id, { status: "failed", finishedAt: at(7), error }),
            Option.some({ ...other, status: "failed" as const, finishedAt: at(7), error })
          )
          assert.isTrue(Option.isNone(yield* runs.update((other.id + 1) as RunId, { status: "running" })))
          assert.isTrue(Option.isNone(yield* runs.update(0 as RunId, { status: "running" })))
        })
      )
    )

    it.effect("runs: list newest first, keyset-paged by id", () =>
      fresh(
        Effect.gen(function* () {
          const runs = yield* RunStore
          const user = yield* createUser("analyst", ["analyst"])
          const created = yield* Effect.forEach(
            Array.from({ length: 7 }, (_, i) => i),
            (i) => runs.create({ params: { i }, requestedBy: user.id, at: at(i) })
          )
          const newestFirst = [...created].reverse()
          assert.deepStrictEqual(yield* runs.list({ limit: 100 }), newestFirst)

          const paged: Array<RunId> = []
          let before: RunId | undefined
          for (;;) {
            const page = yield* runs.list(before === undefined ? { limit: 3 } : { beforeId: before, limit: 3 })
            paged.push(...page.map((r) => r.id))
            if (page.length < 3) break
            before = page[page.length - 1]?.id
          }
          assert.deepStrictEqual(
            paged,
            newestFirst.map((r) => r.id)
          )
          const third = created[2] as (typeof created)[number]
          assert.deepStrictEqual(yield* runs.list({ beforeId: third.id, limit: 100 }), created.slice(0, 2).reverse())
          assert.deepStrictEqual(yield* runs.list({ limit: 0 }), [])
        })
      )
    )

    it.effect("runs: failUnfinished fails every queued or running run, and only those", () =>
      fresh(
        Effect.gen(function* () {
          const runs = yield* RunStore
          const user = yield* createUser("analyst", ["analyst"])
          const make = (i: number) => runs.create({ params: { i }, requestedBy: user.id, at: at(i) })
          const queued = yield* make(1)
          const running = yield* make(2)
          const succeeded = yield* make(3)
          const failed = yield* make(4)
          yield* runs.update(running.id, { status: "running", startedAt: at(5) })
          yield* runs.update(succeeded.id, { status: "succeeded", startedAt: at(5), finishedAt: at(6), report: REPORT })
          yield* runs.update(failed.id, {
            status: "failed",
            finishedAt: at(6),
            error: { message: "bad params", path: "filters.regions" }
          })
          const before = yield* runs.list({ limit: 10 })

          const message = "the server stopped before this run finished"
          assert.strictEqual(yield* runs.failUnfinished(at(9), message), 2)
          const after = yield* runs.list({ limit: 10 })
          assert.deepStrictEqual(
            after,
            before.map(
              (r): Run =>
                r.id === queued.id || r.id === running.id
                  ? { ...r, status: "failed", finishedAt: at(9), error: { message, path: null } }
                  : r
            )
          )
          assert.strictEqual(yield* runs.failUnfinished(at(10), message), 0)
          assert.deepStrictEqual(yield* runs.list({ limit: 10 }), after)
        })
      )
    )
  })

accountsSuite("memory", Layer.empty, (test) =>
  test.pipe(Effect.provide(Layer.mergeAll(layerMemoryUserStore, layerMemorySessionStore, layerMemoryRunStore)))
)

const emptyTables = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`TRUNCATE server_run, refresh_session, app_user RESTART IDENTITY`
})

/**
 * Until a session of this database waits on a lock (PostgreSQL), so that a test shows the wait it is about.
 * PGlite has one session, which serialises the transactions itself: there a short pause lets the waiter queue.
 */
const untilWaitingOnLock = (backendName: string, failure: string) =>
  Effect.gen(function* () {
    if (backendName !== "postgres") return yield* Effect.sleep("50 millis")
    const sql = yield* SqlClient.SqlClient
    const waiting = sql<{ n: unknown }>`
      SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.pipe(Effect.map((rows) => Number(rows[0]?.n)))
    let polls = 0
    while ((yield* waiting) < 1) {
      if (++polls > 1_000) assert.fail(failure)
      yield* Effect.sleep("5 millis")
    }
  })

for (const backend of backends()) {
  const database = layerMigrations().pipe(Layer.provideMerge(backend.layer()))

  accountsSuite(backend.name, database, (test) =>
    emptyTables.pipe(Effect.andThen(test), Effect.provide(layerPgAccounts))
  )

  layer(database, { excludeTestServices: true })(`account tables (${backend.name})`, (it) => {
    it.effect("a consume waiting for another's transaction sees its rotation", () =>
      Effect.gen(function* () {
        yield* emptyTables
        const sql = yield* SqlClient.SqlClient
        const sessions = yield* SessionStore
        const user = yield* createUser("waiter")
        const s = session("f".repeat(64), user.id)
        yield* sessions.insert(s)

        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        // The first consume's transaction stays open until released, holding the row.
        const first = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              const seen = yield* sessions.consume(s.tokenHash, at(50))
              yield* Deferred.succeed(locked, undefined)
              yield* Deferred.await(release)
              return seen
            })
          )
          .pipe(Effect.forkChild)
        yield* Deferred.await(locked)
        // Forked here, outside the transaction, so it runs on a connection of its own.
        const second = yield* Effect.forkChild(sessions.consume(s.tokenHash, at(51)))
        // Wait until the second consume is blocked on the first one's row lock, so the test shows the wait.
        yield* untilWaitingOnLock(backend.name, "the second consume never waited for the lock")
        yield* Deferred.succeed(release, undefined)
        const firstSeen = yield* Fiber.join(first)
        const secondSeen = yield* Fiber.join(second)
        assert.deepStrictEqual(firstSeen, Option.some(s))
        assert.deepStrictEqual(secondSeen, Option.some({ ...s, rotatedAt: at(50) }))
        assert.deepStrictEqual(yield* sessions.find(s.tokenHash), Option.some({ ...s, rotatedAt: at(50) }))
      }).pipe(Effect.provide(layerPgAccounts))
    )

    it.effect("an update removing an admin waits for another's transaction, then finds itself the last", () =>
      Effect.gen(function* () {
        yield* emptyTables
        const sql = yield* SqlClient.SqlClient
        const users = yield* UserStore
        const a = yield* createUser("admin-a", ["admin"])
        const b = yield* createUser("admin-b", ["admin"])

        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        // The first update's transaction stays open until released, holding the active admins' rows.
        const first = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              const updated = yield* users.update(a.id, { disabled: true, at: at(50) })
              yield* Deferred.succeed(locked, undefined)
              yield* Deferred.await(release)
              return updated
            })
          )
          .pipe(Effect.forkChild)
        yield* Deferred.await(locked)
        // Before the first commits, both admins are still active: a check that did not wait would let this through.
        const second = yield* Effect.forkChild(Effect.exit(users.update(b.id, { disabled: true, at: at(51) })))
        yield* untilWaitingOnLock(backend.name, "the second update never waited for the admins' rows")
        yield* Deferred.succeed(release, undefined)
        assert.deepStrictEqual((yield* Fiber.join(first)).pipe(Option.map((u) => u.disabled)), Option.some(true))
        const exit = yield* Fiber.join(second)
        assert.deepStrictEqual(
          Exit.findErrorOption(exit).pipe(Option.map((e) => e._tag)),
          Option.some("LastActiveAdmin")
        )
        assert.deepStrictEqual(yield* users.findById(b.id), Option.some(b))
        assert.strictEqual(yield* users.countActiveAdmins, 1)
      }).pipe(Effect.provide(layerPgAccounts))
    )

    it.effect("constraints refuse what the schema does not allow", () =>
      Effect.gen(function* () {
        yield* emptyTables
        const users = yield* UserStore
        const sessions = yield* SessionStore
        const runs = yield* RunStore
        const user = yield* createUser("checked")
        const failsWith = <A, E extends { readonly _tag: string }>(tag: string, effect: Effect.Effect<A, E>) =>
          Effect.map(Effect.flip(effect), (e) => assert.strictEqual(e._tag, tag))

        yield* failsWith("UserStoreError", users.create(newUser("Upper.Case")))
        yield* failsWith("UserStoreError", users.create(newUser("root", ["superuser" as Role])))
        yield* failsWith("UserStoreError", users.create(newUser("nowhere", ["viewer"], ["99" as RegionCode])))
        yield* failsWith("UserStoreError", users.update(user.id, { roles: ["owner" as Role], at: at(1) }))
        // A session or a run must belong to a user.
        yield* failsWith(
          "SessionStoreError",
          sessions.insert(session("x", "00000000-0000-0000-0000-000000000000" as UserId))
        )
        yield* failsWith("RunStoreError", runs.create({ params: {}, requestedBy: "u1" as UserId, at: at(1) }))
        const run = yield* runs.create({ params: {}, requestedBy: user.id, at: at(1) })
        yield* failsWith("RunStoreError", runs.update(run.id, { status: "paused" as "running" }))

        assert.deepStrictEqual(yield* users.findById(user.id), Option.some(user))
        assert.strictEqual((yield* users.list({ limit: 10 })).length, 1)
        assert.deepStrictEqual(yield* runs.list({ limit: 10 }), [run])
      }).pipe(Effect.provide(layerPgAccounts))
    )
  })
}
