/**
 * The ChangeFeeds and the caches over them. Against a real PostgreSQL server: migration 0007's triggers announce
 * committed changes to findings and users; a server's cached stores see what another process commits as soon as
 * the notification arrives; a lost listener connection makes the caches read through until it is back. On PGlite:
 * the same notifications heard in process.
 */
import { type AddressInfo, connect, createServer, type Server } from "node:net"
import {
  ChangeFeed,
  type ChangeTopic,
  cachedFindingStore,
  cachedSessionStore,
  cachedUserStore,
  type ContractId,
  type Finding,
  FindingStore,
  type Instant,
  type RefreshSession,
  SessionStore,
  type UserId,
  type Username,
  UserStore
} from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { layerPgAccounts } from "../src/postgres/accounts/index.ts"
import { runMigrations } from "../src/postgres/migrations.ts"
import { layerPgChangeFeed, makePgChangeFeed } from "../src/postgres/PgChangeFeed.ts"
import { layerPgFindingStore } from "../src/postgres/PgFindingStore.ts"
import { layerPgliteChangeFeed } from "../src/pglite/PgliteChangeFeed.ts"
import { layerPgliteTestDatabase, pgAdminUrl, pgTestDatabaseUrl } from "./support/databases.ts"

const adminUrl = pgAdminUrl()

const finding = (contractId: number): Finding => ({
  indicator: "accelerated-payment",
  key: `accelerated-payment:${contractId}`,
  subject: { _tag: "contract", contractId: contractId as ContractId },
  customerBin: "000000100106" as Finding["customerBin"],
  supplierBin: "000000200102" as Finding["supplierBin"],
  region: null,
  date: Date.UTC(2024, 2, 1) as Instant,
  measures: { days: "1" },
  thresholds: { max_days: "5" },
  explanation: { ru: "-", en: "-" }
})

/** One process's view of the database: its own pool, stores and (for the server) change feed. */
const processOn = (url: string) =>
  Layer.mergeAll(layerPgFindingStore, layerPgAccounts, layerPgChangeFeed).pipe(
    Layer.provideMerge(PgClient.layer({ url: Redacted.make(url), maxConnections: 3 }))
  )

type Process = Layer.Success<ReturnType<typeof processOn>>

/** Builds a process's services in the current scope. */
const start = (url: string) => Layer.build(processOn(url))

/** Applies the migrations through a process's client. */
const migrate = (context: Context.Context<Process>) =>
  Effect.provideService(runMigrations(), SqlClient.SqlClient, Context.get(context, SqlClient.SqlClient))

/** Polls until `check` holds (every 20 ms, at most 5 s): notifications arrive asynchronously. */
const eventually = <E, R>(what: string, check: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      if (yield* check) return
      yield* Effect.sleep(Duration.millis(20))
    }
    assert.fail(`timed out waiting until ${what}`)
  })

const newUser = (username: string) => ({
  username: username as Username,
  displayName: username,
  roles: ["viewer" as const],
  regions: [],
  passwordHash: "h",
  at: Date.UTC(2025, 0, 1) as Instant
})

const sessionOf = (tokenHash: string, familyId: string, userId: UserId): RefreshSession => ({
  tokenHash,
  familyId,
  userId,
  issuedAt: Date.UTC(2025, 0, 1) as Instant,
  expiresAt: Date.UTC(2025, 1, 1) as Instant,
  rotatedAt: null,
  revokedAt: null
})

/**
 * Migration 0022's triggers: logins (inserts) and refreshes (rotations) announce nothing, a revocation announces
 * `sessions`. Notifications arrive in commit order, so once a later change to the users is heard, the sessions'
 * announcements that would have come before it are in too.
 */
const sessionAnnouncements = (
  feed: ChangeFeed["Service"],
  writer: { readonly users: UserStore["Service"]; readonly sessions: SessionStore["Service"] },
  cached: SessionStore["Service"]
) =>
  Effect.gen(function* () {
    const generation = (topic: ChangeTopic) => Effect.map(feed.generation(topic), Option.getOrThrow)
    yield* eventually("the feed listens", Effect.map(feed.generation("sessions"), Option.isSome))
    const user = yield* writer.users.create(newUser("sessions-owner"))
    const sessionsBefore = yield* generation("sessions")
    yield* writer.sessions.insert(sessionOf("a1", "fa", user.id))
    yield* writer.sessions.insert(sessionOf("b1", "fb", user.id))
    yield* writer.sessions.consume("a1", Date.UTC(2025, 0, 2) as Instant)
    yield* writer.sessions.insert(sessionOf("a2", "fa", user.id))
    assert.isFalse(yield* cached.familyRevoked("fa"))
    const usersBefore = yield* generation("users")
    yield* writer.users.update(user.id, { displayName: "marker", at: Date.UTC(2025, 0, 3) as Instant })
    yield* eventually(
      "the marker is heard",
      Effect.map(generation("users"), (g) => g > usersBefore)
    )
    assert.strictEqual(yield* generation("sessions"), sessionsBefore, "logins and refreshes announce nothing")

    yield* writer.sessions.revokeFamily("fa", Date.UTC(2025, 0, 4) as Instant)
    yield* eventually("the logout is seen", cached.familyRevoked("fa"))
    assert.isFalse(yield* cached.familyRevoked("fb"))
    assert.isAbove(yield* generation("sessions"), sessionsBefore)
  })

describe.skipIf(adminUrl === undefined)("PostgreSQL change feed", () => {
  it.live(
    "announces committed changes by topic, and the caches over it serve another process's commits once heard",
    () =>
      Effect.gen(function* () {
        const url = yield* pgTestDatabaseUrl(adminUrl ?? "")
        const server = yield* start(url)
        const other = yield* start(url)
        yield* migrate(server)
        const feed = Context.get(server, ChangeFeed)
        yield* eventually("the feed listens", Effect.map(feed.generation("findings"), Option.isSome))

        const pgFindings = Context.get(server, FindingStore)
        let storeReads = 0
        const counted = FindingStore.of({
          ...pgFindings,
          query: (q) =>
            Effect.suspend(() => {
              storeReads++
              return pgFindings.query(q)
            })
        })
        const cachedFindings = cachedFindingStore(counted, feed)
        const cachedUsers = cachedUserStore(Context.get(server, UserStore), feed)
        const otherFindings = Context.get(other, FindingStore)
        const otherUsers = Context.get(other, UserStore)

        const initially = Option.getOrThrow(yield* feed.generation("findings"))
        yield* otherFindings.replace(["accelerated-payment"], [finding(1)])
        yield* eventually(
          "the first write is heard",
          Effect.map(feed.generation("findings"), (g) => Option.getOrThrow(g) > initially)
        )
        const usersBefore = yield* feed.generation("users")
        const readsBefore = storeReads
        assert.strictEqual((yield* cachedFindings.query({ limit: 10 })).findings.length, 1)
        yield* cachedFindings.query({ limit: 10 })
        yield* cachedFindings.query({ limit: 10 })
        assert.strictEqual(storeReads, readsBefore + 1, "repeated pages come from memory")

        // Another process commits: the server's copy goes when the notification arrives.
        yield* otherFindings.replace(["accelerated-payment"], [finding(1), finding(2)])
        yield* eventually(
          "the other process's findings are served",
          Effect.map(cachedFindings.query({ limit: 10 }), (p) => p.findings.length === 2)
        )
        assert.deepStrictEqual(
          yield* feed.generation("users"),
          usersBefore,
          "a findings change leaves users' copies alone"
        )

        // A transaction's changes are announced when it commits, not before.
        const sqlOther = Context.get(other, SqlClient.SqlClient)
        const findingsBefore = yield* feed.generation("findings")
        yield* sqlOther.withTransaction(
          Effect.gen(function* () {
            yield* sqlOther`DELETE FROM finding WHERE key = 'accelerated-payment:2'`
            yield* Effect.sleep(Duration.millis(200))
            assert.deepStrictEqual(
              yield* feed.generation("findings"),
              findingsBefore,
              "nothing heard before the commit"
            )
          })
        )
        yield* eventually(
          "the deletion is served",
          Effect.map(cachedFindings.query({ limit: 10 }), (p) => p.findings.length === 1)
        )

        // Users: disabled by another server, refused here once announced.
        const ann = yield* otherUsers.create({
          username: "ann" as Username,
          displayName: "Ann",
          roles: ["viewer"],
          regions: [],
          passwordHash: "h",
          at: Date.UTC(2025, 0, 1) as Instant
        })
        assert.isFalse(Option.getOrThrow(yield* cachedUsers.findById(ann.id)).disabled)
        yield* otherUsers.update(ann.id, { disabled: true, at: Date.UTC(2025, 0, 2) as Instant })
        yield* eventually(
          "the disabled user is seen",
          Effect.map(cachedUsers.findById(ann.id), (u) => Option.getOrThrow(u).disabled)
        )
      }).pipe(Effect.scoped),
    30_000
  )

  it.live(
    "announces revoked sessions only, and a server's cached sessions see another process's logout once heard",
    () =>
      Effect.gen(function* () {
        const url = yield* pgTestDatabaseUrl(adminUrl ?? "")
        const server = yield* start(url)
        const other = yield* start(url)
        yield* migrate(server)
        const feed = Context.get(server, ChangeFeed)
        yield* sessionAnnouncements(
          feed,
          { users: Context.get(other, UserStore), sessions: Context.get(other, SessionStore) },
          cachedSessionStore(Context.get(server, SessionStore), feed)
        )
      }).pipe(Effect.scoped),
    30_000
  )

  it.live(
    "listens from the first question; goes deaf when its connection is lost (caches read through), and listens again with every generation moved",
    () =>
      Effect.gen(function* () {
        const url = yield* pgTestDatabaseUrl(adminUrl ?? "")
        const server = yield* start(url)
        yield* migrate(server)
        const feed = Context.get(server, ChangeFeed)
        const sql = Context.get(server, SqlClient.SqlClient)
        const listeners = sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`
        yield* Effect.sleep(Duration.millis(100))
        assert.strictEqual((yield* listeners)[0]?.n, 0, "no connection is held before anyone asks")
        yield* eventually("the feed listens", Effect.map(feed.generation("users"), Option.isSome))
        assert.strictEqual((yield* listeners)[0]?.n, 1)
        const before = Option.getOrThrow(yield* feed.generation("users"))

        const killed = yield* sql<{ n: number }>`
          SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%'`
        assert.strictEqual(killed[0]?.n, 1, "the listener's backend was found")
        yield* eventually("the feed goes deaf", Effect.map(feed.generation("users"), Option.isNone))
        yield* eventually("the feed listens again", Effect.map(feed.generation("users"), Option.isSome))
        assert.isAbove(Option.getOrThrow(yield* feed.generation("users")), before)
      }).pipe(Effect.scoped),
    30_000
  )
})

/**
 * A TCP proxy in front of PostgreSQL that can go silent on the connection that listens: it keeps the sockets open
 * and drops every byte both ways, as a firewall that forgot the connection or a partition would, so nothing fails.
 */
const silencingProxy = (target: URL) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{
          readonly server: Server
          readonly port: number
          readonly silence: () => number
          readonly cut: () => void
        }>((resolve) => {
          const listening = new Set<{ silent: boolean; readonly end: () => void }>()
          const server = createServer((client) => {
            const state = {
              silent: false,
              end: () => {
                client.destroy()
                upstream.destroy()
              }
            }
            const upstream = connect(Number(target.port), target.hostname)
            client.on("data", (data) => {
              if (data.includes("LISTEN")) listening.add(state)
              if (!state.silent) upstream.write(data)
            })
            upstream.on("data", (data) => {
              if (!state.silent) client.write(data)
            })
            client.on("error", state.end).on("close", state.end)
            upstream.on("error", state.end).on("close", state.end)
          })
          const silence = () => {
            for (const state of listening) state.silent = true
            return listening.size
          }
          // What TCP keepalive does to a dead connection in the end: it fails.
          const cut = () => {
            for (const state of listening) if (state.silent) state.end()
          }
          server.listen(0, "127.0.0.1", () =>
            resolve({ server, port: (server.address() as AddressInfo).port, silence, cut })
          )
        })
    ),
    ({ server }) => Effect.sync(() => server.close())
  )

describe.skipIf(adminUrl === undefined)("PostgreSQL change feed, its connection gone silent", () => {
  it.live("misses its heartbeat, goes deaf (caches read through) and listens again on a new connection", () =>
    Effect.gen(function* () {
      const url = new URL(yield* pgTestDatabaseUrl(adminUrl ?? ""))
      const proxy = yield* silencingProxy(url)
      const proxied = new URL(url)
      proxied.host = `127.0.0.1:${proxy.port}`
      const server = yield* Layer.build(
        Layer.effect(
          ChangeFeed,
          makePgChangeFeed({ heartbeat: { every: Duration.millis(100), within: Duration.millis(400) } })
        ).pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(proxied.href), maxConnections: 3 })))
      )
      const feed = Context.get(server, ChangeFeed)
      yield* eventually("the feed listens", Effect.map(feed.generation("findings"), Option.isSome))
      const before = Option.getOrThrow(yield* feed.generation("findings"))
      // Heartbeats are heard while the connection carries them: the feed stays up past several of them.
      yield* Effect.sleep(Duration.millis(1200))
      assert.isTrue(Option.isSome(yield* feed.generation("findings")), "still listening")
      assert.strictEqual(proxy.silence(), 1, "one connection listens")
      yield* eventually("the feed goes deaf", Effect.map(feed.generation("findings"), Option.isNone))
      yield* eventually("the feed listens again", Effect.map(feed.generation("findings"), Option.isSome))
      assert.isAbove(Option.getOrThrow(yield* feed.generation("findings")), before)
      // The silent connection was let go in the background (its UNLISTEN is never answered); once it fails, as
      // keepalive makes it, the pool can close.
      proxy.cut()
    }).pipe(Effect.scoped)
  )
})

describe("PGlite change feed", () => {
  it.live("hears the triggers' notifications in process, and the cache over it serves what was written", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(
        Layer.mergeAll(layerPgFindingStore, layerPgliteChangeFeed).pipe(
          Layer.provideMerge(layerPgliteTestDatabase("migrated"))
        )
      )
      const feed = Context.get(context, ChangeFeed)
      const store = Context.get(context, FindingStore)
      const cached = cachedFindingStore(store, feed)
      const before = Option.getOrThrow(yield* feed.generation("findings"))
      assert.strictEqual((yield* cached.query({ limit: 10 })).findings.length, 0)
      // Written around the cache, as a run does through SQL: the copy goes when the notification is heard.
      yield* store.replace(["accelerated-payment"], [finding(1)])
      yield* eventually(
        "the notification is heard",
        Effect.map(feed.generation("findings"), (g) => Option.getOrThrow(g) > before)
      )
      assert.strictEqual((yield* cached.query({ limit: 10 })).findings.length, 1)
    }).pipe(Effect.scoped)
  )

  it.live("announces revoked sessions only, heard in process", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(
        Layer.mergeAll(layerPgAccounts, layerPgliteChangeFeed).pipe(
          Layer.provideMerge(layerPgliteTestDatabase("migrated"))
        )
      )
      const feed = Context.get(context, ChangeFeed)
      const sessions = Context.get(context, SessionStore)
      // Written around the cache, as another process would.
      yield* sessionAnnouncements(
        feed,
        { users: Context.get(context, UserStore), sessions },
        cachedSessionStore(sessions, feed)
      )
    }).pipe(Effect.scoped)
  )
})
