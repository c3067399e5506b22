/**
 * The account use cases (Users, Auth) over the in-memory stores: the last active admin survives concurrent
 * updates, and a password change or disabling voids the access tokens issued before it — at once, whatever the
 * clock says — while a login right after works.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as Auth from "../src/app/Auth.ts"
import {
  type AccessTokenSubject,
  AccessTokens,
  LoginThrottle,
  PasswordHasher,
  RefreshTokens
} from "../src/app/Credentials.ts"
import { Unauthenticated } from "../src/app/Errors.ts"
import type { Principal } from "../src/app/Policy.ts"
import * as Users from "../src/app/Users.ts"
import { layerMemorySessionStore } from "../src/memory/MemorySessionStore.ts"
import { layerMemoryUserStore } from "../src/memory/MemoryUserStore.ts"
import type { Instant } from "../src/domain/Ids.ts"
import { type RefreshSession, SessionStore } from "../src/ports/SessionStore.ts"
import { type Role, type User, UserStore } from "../src/ports/UserStore.ts"

const PASSWORD = "correct horse battery staple"
const NEW_PASSWORD = "a completely different one"

/** Hashes yield before answering, as scrypt on the thread pool does: concurrent use cases interleave there. */
const layerHasher = (beforeVerify: Effect.Effect<void> = Effect.void) =>
  Layer.succeed(
    PasswordHasher,
    PasswordHasher.of({
      hash: (password) => Effect.as(Effect.yieldNow, `hash:${Redacted.value(password)}`),
      verify: (password, hash) => Effect.as(beforeVerify, hash === `hash:${Redacted.value(password)}`),
      burn: () => Effect.void
    })
  )

/** Opaque tokens remembered with their subject: what a signed token would carry, without the signing. */
const layerTokens = Layer.sync(AccessTokens, () => {
  const issued = new Map<string, AccessTokenSubject>()
  return AccessTokens.of({
    issue: (subject) =>
      Effect.sync(() => {
        const token = `access-${issued.size + 1}`
        issued.set(token, subject)
        return { token, expiresIn: 900 }
      }),
    verify: (token) => {
      const subject = issued.get(token)
      return subject === undefined
        ? Effect.fail(new Unauthenticated({ message: "invalid access token" }))
        : Effect.succeed(subject)
    }
  })
})

const layerRefreshTokens = Layer.sync(RefreshTokens, () => {
  let next = 0
  return RefreshTokens.of({
    generate: Effect.sync(() => {
      next++
      return { token: `refresh-${next}`, hash: `hash-of-refresh-${next}` }
    }),
    hash: (token) => Effect.succeed(`hash-of-${token}`),
    newFamilyId: Effect.sync(() => `family-${++next}`),
    ttlMillis: 30 * 24 * 3_600_000
  })
})

const layerNoThrottle = Layer.succeed(
  LoginThrottle,
  LoginThrottle.of({ reserve: () => Effect.void, succeeded: () => Effect.void })
)

const layerAccounts = (
  beforeVerify?: Effect.Effect<void>,
  sessions: Layer.Layer<SessionStore, never, UserStore> = layerMemorySessionStore
) =>
  Layer.mergeAll(sessions, layerHasher(beforeVerify), layerTokens, layerRefreshTokens, layerNoThrottle).pipe(
    Layer.provideMerge(layerMemoryUserStore)
  )

/** The in-memory sessions, with `before` run ahead of every insert (another use case's step slipping in there). */
const layerSessionsBeforeInsert = (
  before: (session: RefreshSession, sessions: SessionStore["Service"]) => Effect.Effect<void, never, UserStore>
): Layer.Layer<SessionStore, never, UserStore> =>
  Layer.effect(
    SessionStore,
    Effect.gen(function* () {
      const base = yield* SessionStore
      const users = yield* UserStore
      return SessionStore.of({
        ...base,
        insert: (session) =>
          Effect.andThen(Effect.provideService(before(session, base), UserStore, users), base.insert(session))
      })
    })
  ).pipe(Layer.provide(layerMemorySessionStore))

const createUser = (username: string, roles: ReadonlyArray<Role>) =>
  Users.createUser({ username, password: Redacted.make(PASSWORD), roles, regions: [] })

const principalOf = (user: User): Principal => ({
  userId: user.id,
  username: user.username,
  roles: user.roles,
  regions: user.regions
})

const login = (username: string, password = PASSWORD) =>
  Auth.login({ username, password: Redacted.make(password), clientAddress: "127.0.0.1" })

/** The error tag an effect failed with, or "success". */
const outcome = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, { onSuccess: () => "success", onFailure: (error) => error._tag })

const refusal = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, { onSuccess: () => "accepted", onFailure: (error) => error.message })

describe("the last active admin", () => {
  it.effect("two admins disabling each other at once (with new passwords): one gets Conflict", () =>
    Effect.gen(function* () {
      const a = yield* createUser("admin-a", ["admin"])
      const b = yield* createUser("admin-b", ["admin"])
      const outcomes = yield* Effect.all(
        [
          outcome(Users.updateUser(principalOf(a), b.id, { disabled: true, password: Redacted.make(NEW_PASSWORD) })),
          outcome(Users.updateUser(principalOf(b), a.id, { disabled: true, password: Redacted.make(NEW_PASSWORD) }))
        ],
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...outcomes].sort(), ["Conflict", "success"])
      assert.strictEqual(yield* (yield* UserStore).countActiveAdmins, 1)
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("nor can one disable the other while that one drops its own admin role", () =>
    Effect.gen(function* () {
      const a = yield* createUser("admin-a", ["admin"])
      const b = yield* createUser("admin-b", ["admin", "analyst"])
      const outcomes = yield* Effect.all(
        [
          outcome(Users.updateUser(principalOf(a), b.id, { disabled: true, password: Redacted.make(NEW_PASSWORD) })),
          outcome(Users.updateUser(principalOf(a), a.id, { roles: ["analyst"], password: Redacted.make(NEW_PASSWORD) }))
        ],
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...outcomes].sort(), ["Conflict", "success"])
      assert.strictEqual(yield* (yield* UserStore).countActiveAdmins, 1)
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a refused update changes nothing: the password stays, the sessions live", () =>
    Effect.gen(function* () {
      const a = yield* createUser("admin-a", ["admin"])
      const tokens = yield* login("admin-a")
      const error = yield* Effect.flip(
        Users.updateUser(principalOf(a), a.id, { disabled: true, password: Redacted.make(NEW_PASSWORD) })
      )
      assert.strictEqual(error._tag, "Conflict")
      assert.strictEqual((yield* Auth.authenticate(tokens.accessToken)).userId, a.id)
      assert.strictEqual(yield* outcome(login("admin-a")), "success")
      assert.strictEqual(yield* outcome(Auth.refresh(tokens.refreshToken)), "success")
    }).pipe(Effect.provide(layerAccounts()))
  )
})

describe("access tokens after a password change", () => {
  it.effect("the old token is refused, even issued the same millisecond; a login right after works", () =>
    Effect.gen(function* () {
      // The clock stands still: the change and both logins happen at one instant.
      yield* TestClock.setTime(Date.UTC(2026, 2, 1, 9, 0, 0, 500))
      const admin = yield* createUser("root", ["admin"])
      yield* createUser("aigerim", ["analyst"])
      const before = yield* login("aigerim")
      const user = (yield* Auth.authenticate(before.accessToken)).userId

      yield* Users.updateUser(principalOf(admin), user, { password: Redacted.make(NEW_PASSWORD) })
      assert.strictEqual(yield* refusal(Auth.authenticate(before.accessToken)), "access token expired")
      assert.strictEqual(yield* refusal(Auth.refresh(before.refreshToken)), "refresh token revoked")
      assert.strictEqual(yield* refusal(login("aigerim")), "invalid username or password")

      const after = yield* login("aigerim", NEW_PASSWORD)
      assert.strictEqual((yield* Auth.authenticate(after.accessToken)).userId, user)
      assert.strictEqual(yield* refusal(Auth.authenticate(before.accessToken)), "access token expired")

      // A second change at the same instant still voids the token issued between the two.
      yield* Users.updateUser(principalOf(admin), user, { password: Redacted.make(PASSWORD) })
      assert.strictEqual(yield* refusal(Auth.authenticate(after.accessToken)), "access token expired")
      assert.strictEqual((yield* Auth.authenticate((yield* login("aigerim")).accessToken)).userId, user)
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("admins changing their own password void their own tokens too", () =>
    Effect.gen(function* () {
      const admin = yield* createUser("root", ["admin"])
      const tokens = yield* login("root")
      yield* Users.updateUser(yield* Auth.authenticate(tokens.accessToken), admin.id, {
        password: Redacted.make(NEW_PASSWORD)
      })
      assert.strictEqual(yield* refusal(Auth.authenticate(tokens.accessToken)), "access token expired")
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("other changes leave tokens alone; disabling voids them for good, re-enabling does not revive them", () =>
    Effect.gen(function* () {
      const admin = yield* createUser("root", ["admin"])
      const user = yield* createUser("bolat", ["viewer"])
      const tokens = yield* login("bolat")
      yield* Users.updateUser(principalOf(admin), user.id, { displayName: "Болат", roles: ["analyst"] })
      assert.deepStrictEqual((yield* Auth.authenticate(tokens.accessToken)).roles, ["analyst"])

      yield* Users.disableUser(principalOf(admin), user.id)
      yield* Users.updateUser(principalOf(admin), user.id, { disabled: false })
      assert.strictEqual(yield* refusal(Auth.authenticate(tokens.accessToken)), "access token expired")
      assert.strictEqual(yield* outcome(Auth.authenticate((yield* login("bolat")).accessToken)), "success")
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a refresh between a password change's update and its revocation of the sessions is refused", () =>
    Effect.gen(function* () {
      yield* createUser("root", ["admin"])
      const user = yield* createUser("erlan", ["viewer"])
      const tokens = yield* login("erlan")
      yield* TestClock.adjust("1 second")
      // The change's first step has committed; its revocation of the user's sessions has not run yet.
      const at = (yield* Clock.currentTimeMillis) as Instant
      yield* (yield* UserStore).update(user.id, { passwordHash: "changed", revokeTokens: true, at })
      assert.strictEqual(yield* refusal(Auth.refresh(tokens.refreshToken)), "refresh token revoked")
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a refresh that read the user before a password change stores no session that outlives it", () =>
    Effect.gen(function* () {
      let stored: RefreshSession | undefined
      let inserts = 0
      // The refresh's new session is stored just after the whole change (update, then sessions revoked) ran.
      const change = (session: RefreshSession, sessions: SessionStore["Service"]) =>
        Effect.gen(function* () {
          if (++inserts !== 2) return
          stored = session
          const at = session.issuedAt
          yield* Effect.orDie((yield* UserStore).update(session.userId, { passwordHash: "x", revokeTokens: true, at }))
          yield* Effect.orDie(sessions.revokeUser(session.userId, at))
        })
      yield* Effect.gen(function* () {
        yield* createUser("root", ["admin"])
        yield* createUser("saule", ["viewer"])
        const tokens = yield* login("saule")
        assert.strictEqual(yield* refusal(Auth.refresh(tokens.refreshToken)), "refresh token revoked")
        const left = yield* (yield* SessionStore).find((stored as RefreshSession).tokenHash)
        assert.isTrue(Option.isSome(left) && left.value.revokedAt !== null, "the session stored after it is revoked")
      }).pipe(Effect.provide(layerAccounts(undefined, layerSessionsBeforeInsert(change))))
    })
  )

  it.effect("a login that checked the old password while it changed gets no session that outlives the change", () =>
    Effect.gen(function* () {
      const verifying = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const gate = Effect.gen(function* () {
        if (yield* Deferred.isDone(verifying)) return
        yield* Deferred.succeed(verifying, undefined)
        yield* Deferred.await(release)
      })
      yield* Effect.gen(function* () {
        const admin = yield* createUser("root", ["admin"])
        const user = yield* createUser("dana", ["viewer"])
        // The login has read the user and is checking the old password when the change commits.
        const racing = yield* Effect.forkChild(login("dana"))
        yield* Deferred.await(verifying)
        yield* Users.updateUser(principalOf(admin), user.id, { password: Redacted.make(NEW_PASSWORD) })
        yield* Deferred.succeed(release, undefined)
        const exit = yield* Fiber.await(racing)
        assert.isTrue(Exit.isFailure(exit), "the racing login got tokens")
        assert.deepStrictEqual(
          Exit.findErrorOption(exit).pipe(Option.map((e) => e._tag)),
          Option.some("Unauthenticated")
        )
        assert.strictEqual(yield* outcome(login("dana", NEW_PASSWORD)), "success")
      }).pipe(Effect.provide(layerAccounts(gate)))
    })
  )
})

describe("access tokens after a logout or a reused refresh token", () => {
  it.effect("logging out refuses that login's access tokens; the user's other logins keep working", () =>
    Effect.gen(function* () {
      yield* createUser("aruzhan", ["viewer"])
      const leaving = yield* login("aruzhan")
      const staying = yield* login("aruzhan")
      const user = (yield* Auth.authenticate(leaving.accessToken)).userId

      yield* Auth.logout(leaving.refreshToken)
      assert.strictEqual(yield* refusal(Auth.authenticate(leaving.accessToken)), "access token expired")
      assert.strictEqual((yield* Auth.authenticate(staying.accessToken)).userId, user)
      // The next login is a family of its own.
      assert.strictEqual((yield* Auth.authenticate((yield* login("aruzhan")).accessToken)).userId, user)
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a reused refresh token refuses every access token of that login, old and new", () =>
    Effect.gen(function* () {
      yield* createUser("timur", ["viewer"])
      const first = yield* login("timur")
      const other = yield* login("timur")
      const second = yield* Auth.refresh(first.refreshToken)
      assert.strictEqual(yield* outcome(Auth.authenticate(second.accessToken)), "success")

      assert.match(yield* refusal(Auth.refresh(first.refreshToken)), /already used/u)
      assert.strictEqual(yield* refusal(Auth.authenticate(first.accessToken)), "access token expired")
      assert.strictEqual(yield* refusal(Auth.authenticate(second.accessToken)), "access token expired")
      assert.strictEqual(yield* outcome(Auth.authenticate(other.accessToken)), "success")
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a token that names no session (issued before tokens carried one) works until it expires", () =>
    Effect.gen(function* () {
      const user = yield* createUser("zhanna", ["viewer"])
      const tokens = yield* login("zhanna")
      const older = yield* (yield* AccessTokens).issue({ userId: user.id, tokensRevokedAt: null, sessionId: null })
      yield* Auth.logout(tokens.refreshToken)
      assert.strictEqual((yield* Auth.authenticate(older.token)).userId, user.id)
    }).pipe(Effect.provide(layerAccounts()))
  )

  it.effect("a refresh whose family is logged out while it runs stores no session that outlives the logout", () =>
    Effect.gen(function* () {
      let stored: RefreshSession | undefined
      let inserts = 0
      // The logout lands between the refresh's consume and the insert of its new session, which it does not see.
      const logout = (session: RefreshSession, sessions: SessionStore["Service"]) =>
        Effect.gen(function* () {
          if (++inserts !== 2) return
          stored = session
          yield* Effect.orDie(sessions.revokeFamily(session.familyId, session.issuedAt))
        })
      yield* Effect.gen(function* () {
        yield* createUser("nurlan", ["viewer"])
        const tokens = yield* login("nurlan")
        assert.strictEqual(yield* refusal(Auth.refresh(tokens.refreshToken)), "refresh token revoked")
        assert.strictEqual(yield* refusal(Auth.authenticate(tokens.accessToken)), "access token expired")
        const left = yield* (yield* SessionStore).find((stored as RefreshSession).tokenHash)
        assert.isTrue(Option.isSome(left) && left.value.revokedAt !== null, "the session stored after it is revoked")
      }).pipe(Effect.provide(layerAccounts(undefined, layerSessionsBeforeInsert(logout))))
    })
  )
})
