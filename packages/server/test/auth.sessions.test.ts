/**
 * Logging out and reusing a refresh token cut that login's access tokens from the next request on, on both
 * transports: over the in-memory ports, and over PGlite with the reads cached as `adalqarau serve` caches them
 * (where a stale copy of "not revoked" would show). Other logins of the user, and tokens issued before access
 * tokens named their login, keep working.
 */
import { layerPgliteChangeFeed } from "@adalqarau/adapters/pglite"
import { layerStorage } from "@adalqarau/adapters/postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Layer } from "effect"
import { SignJWT } from "jose"
import { layerPgliteTestDatabase } from "../../adapters/test/support/databases.ts"
import { layerCachedReads, type PortServices } from "../src/Server.ts"
import { rpcOutcome } from "./rpcClient.ts"
import { loginRest, startTestServer, TEST_JWT_SECRET, type TestServer, type Tokens } from "./serverFixtures.ts"

/** The PostgreSQL stores on a fresh PGlite, behind the caches and the change feed `serve` puts in front of them. */
const cachedPglite = (): Layer.Layer<PortServices, unknown> =>
  layerCachedReads.pipe(
    Layer.provideMerge(
      layerPgliteChangeFeed.pipe(Layer.provideMerge(layerStorage(layerPgliteTestDatabase("migrated"))))
    )
  )

const payloadOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>

const suite = (label: string, ports?: () => Layer.Layer<PortServices, unknown>) =>
  describe(label, () => {
    let server: TestServer
    beforeAll(async () => {
      server = await startTestServer(ports === undefined ? {} : { ports: ports() })
    })
    afterAll(() => server.close())

    const post = (path: string, body: unknown) =>
      fetch(`${server.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body)
      })

    /** Both transports' answer to the token: the REST status and problem detail, and the RPC outcome. */
    const answers = async (token: string) => {
      const rest = await fetch(`${server.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await rest.json()) as { detail?: string }
      return {
        status: rest.status,
        detail: rest.status === 200 ? undefined : body.detail,
        rpc: await rpcOutcome(server.baseUrl, token, (client) => client.Me())
      }
    }
    const accepted = { status: 200, detail: undefined, rpc: "success" }
    const refused = { status: 401, detail: "access token expired", rpc: "Unauthenticated" }

    it("access tokens name their login", async () => {
      const tokens = await loginRest(server.baseUrl, "viewer")
      const sid = payloadOf(tokens.accessToken).sid
      assert.isString(sid)
      const refreshed = (await (
        await post("/api/v1/auth/refresh", { refreshToken: tokens.refreshToken })
      ).json()) as Tokens
      assert.strictEqual(payloadOf(refreshed.accessToken).sid, sid, "a refresh stays in the login")
      assert.notStrictEqual(payloadOf((await loginRest(server.baseUrl, "viewer")).accessToken).sid, sid)
    })

    it("after a logout (REST), that login's access token is refused; another login of the user is not", async () => {
      const leaving = await loginRest(server.baseUrl, "analyst")
      const staying = await loginRest(server.baseUrl, "analyst")
      // Used first, so the verified token, the user and the family's answer are all remembered.
      assert.deepStrictEqual(await answers(leaving.accessToken), accepted)
      assert.deepStrictEqual(await answers(staying.accessToken), accepted)

      assert.strictEqual((await post("/api/v1/auth/logout", { refreshToken: leaving.refreshToken })).status, 204)
      assert.deepStrictEqual(await answers(leaving.accessToken), refused)
      assert.deepStrictEqual(await answers(staying.accessToken), accepted)
      assert.deepStrictEqual(await answers((await loginRest(server.baseUrl, "analyst")).accessToken), accepted)
    })

    it("after a logout (RPC), that login's access token is refused", async () => {
      const leaving = await loginRest(server.baseUrl, "viewer")
      assert.deepStrictEqual(await answers(leaving.accessToken), accepted)
      assert.strictEqual(
        await rpcOutcome(server.baseUrl, undefined, (client) => client.Logout({ refreshToken: leaving.refreshToken })),
        "success"
      )
      assert.deepStrictEqual(await answers(leaving.accessToken), refused)
    })

    it("after a refresh token is reused, every access token of that login is refused, and only those", async () => {
      const first = await loginRest(server.baseUrl, "admin")
      const other = await loginRest(server.baseUrl, "admin")
      const rotated = await post("/api/v1/auth/refresh", { refreshToken: first.refreshToken })
      assert.strictEqual(rotated.status, 200)
      const second = (await rotated.json()) as Tokens
      assert.deepStrictEqual(await answers(first.accessToken), accepted)
      assert.deepStrictEqual(await answers(second.accessToken), accepted)

      // The spent token comes back, over RPC this time: someone copied it.
      assert.strictEqual(
        await rpcOutcome(server.baseUrl, undefined, (client) => client.Refresh({ refreshToken: first.refreshToken })),
        "Unauthenticated"
      )
      assert.deepStrictEqual(await answers(first.accessToken), refused)
      assert.deepStrictEqual(await answers(second.accessToken), refused)
      assert.deepStrictEqual(await answers(other.accessToken), accepted)
    })

    it("a token without sid (issued before tokens named their login) keeps working until it expires", async () => {
      const now = Math.floor(Date.now() / 1000)
      const older = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(server.users.target.id)
        .setIssuer("adalqarau")
        .setAudience("adalqarau-api")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET))
      const tokens = await loginRest(server.baseUrl, "target")
      assert.strictEqual((await post("/api/v1/auth/logout", { refreshToken: tokens.refreshToken })).status, 204)
      assert.deepStrictEqual(await answers(tokens.accessToken), refused)
      assert.deepStrictEqual(await answers(older), accepted)
    })
  })

suite("in-memory ports")
suite("PGlite stores, cached as the server caches them", cachedPglite)
