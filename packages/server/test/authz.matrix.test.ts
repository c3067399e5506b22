/**
 * The authorisation matrix: every operation × {anonymous, viewer, analyst, admin} × {in-region, out-of-region},
 * over both REST and RPC. The expected answer comes from the operations table and the role policy, not from a
 * list written per cell, and every successful answer is checked row by row: no row of a region the caller may
 * not see ever appears — in lists, counts, single gets or streams.
 */
import {
  can,
  type Permission,
  type Principal,
  type RegionCode,
  type Role,
  type UserId,
  type Username
} from "@adalqarau/core"
import { layerPgFromConfig, layerStorage } from "@adalqarau/adapters/postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { pgAdminUrl, pgTestDatabaseUrl } from "../../adapters/test/support/databases.ts"
import { AdalQarauApi } from "../src/api/HttpApi.ts"
import { OPERATIONS, type Operation } from "../src/api/operations.ts"
import { AdalQarauRpcs } from "../src/api/Rpcs.ts"
import { RequiredPermission, RpcAuthentication } from "../src/api/security.ts"
import { restRoutes } from "../src/ops/routes.ts"
import type { PortServices } from "../src/Server.ts"
import { callRpc } from "./rawRpc.ts"
import {
  CONTRACT_71,
  CONTRACT_75,
  loginRest,
  REGION_OF_CUSTOMER,
  startTestServer,
  type TestServer
} from "./serverFixtures.ts"

type Caller = "anonymous" | "viewer" | "analyst" | "admin"
type Column = "in-region" | "out-of-region"

const CALLERS: ReadonlyArray<Caller> = ["anonymous", "viewer", "analyst", "admin"]
const COLUMNS: ReadonlyArray<Column> = ["in-region", "out-of-region"]
const ROLE: Record<Exclude<Caller, "anonymous">, Role> = { viewer: "viewer", analyst: "analyst", admin: "admin" }

/** Restricted callers see Astana (71); "out-of-region" asks for Almaty (75). */
const ASKED_REGION: Record<Column, RegionCode> = { "in-region": "71", "out-of-region": "75" }

let server: TestServer
const tokens: Partial<Record<Caller, string>> = {}
let created = 0

interface Request {
  readonly method: "GET" | "POST" | "PATCH"
  readonly path: string
  readonly body?: unknown
}

interface Case {
  readonly rest: (column: Column) => Request
  readonly rpc: (column: Column) => unknown
  /** The customer regions of the rows in a successful answer (REST body and RPC value have the same shape). */
  readonly rows?: (value: unknown) => ReadonlyArray<RegionCode | null>
  /** For regional reads: whether the in-region answer of a permitted caller must hold rows (no vacuous passes). */
  readonly nonEmpty?: boolean
  /** REST success status when not 200. */
  readonly created?: number
  /** Fixed outcome of a public operation for any caller. */
  readonly publicOutcome?: { readonly status: number; readonly tag: string }
  /** Waits until the operation can succeed (a run queued by the case before would answer 409). */
  readonly ready?: () => Promise<void>
}

/** Until no run is queued: the queue holds one, and the matrix starts runs back to back. */
const noRunQueued = async (): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${server.baseUrl}/api/v1/runs?limit=20`, {
      headers: { authorization: `Bearer ${tokens.admin}` }
    })
    const page = (await response.json()) as { readonly runs: ReadonlyArray<{ readonly status: string }> }
    if (!page.runs.some((run) => run.status === "queued")) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error("a run stayed queued")
}

const target = (): string => server.users.target.id
const regionQuery = (column: Column): string => (column === "in-region" ? "" : `?regions=${ASKED_REGION[column]}`)
const regionPayload = (column: Column) => (column === "in-region" ? {} : { regions: [ASKED_REGION[column]] })

interface ContractJson {
  readonly customerBin: string | null
}
interface FindingJson {
  readonly region: RegionCode | null
}

const regionOfContract = (c: ContractJson): RegionCode | null => REGION_OF_CUSTOMER.get(c.customerBin ?? "") ?? null
const findingRegions = (findings: ReadonlyArray<FindingJson>) => findings.map((f) => f.region)

const CASES: Record<string, Case> = {
  Login: {
    rest: () => ({
      method: "POST",
      path: "/api/v1/auth/login",
      body: { username: "no-such-user", password: "not a password" }
    }),
    rpc: () => ({ username: "no-such-user", password: "not a password" }),
    publicOutcome: { status: 401, tag: "Unauthenticated" }
  },
  Refresh: {
    rest: () => ({ method: "POST", path: "/api/v1/auth/refresh", body: { refreshToken: "not-a-token" } }),
    rpc: () => ({ refreshToken: "not-a-token" }),
    publicOutcome: { status: 401, tag: "Unauthenticated" }
  },
  Logout: {
    rest: () => ({ method: "POST", path: "/api/v1/auth/logout", body: { refreshToken: "not-a-token" } }),
    rpc: () => ({ refreshToken: "not-a-token" }),
    publicOutcome: { status: 204, tag: "success" }
  },
  Me: { rest: () => ({ method: "GET", path: "/api/v1/auth/me" }), rpc: () => undefined },
  ContractsSearch: {
    rest: (column) => ({ method: "GET", path: `/api/v1/contracts${regionQuery(column)}` }),
    rpc: regionPayload,
    rows: (value) => (value as { contracts: ReadonlyArray<ContractJson> }).contracts.map(regionOfContract),
    nonEmpty: true
  },
  ContractsGet: {
    rest: (column) => ({
      method: "GET",
      path: `/api/v1/contracts/${column === "in-region" ? CONTRACT_71 : CONTRACT_75}`
    }),
    rpc: (column) => ({ id: column === "in-region" ? CONTRACT_71 : CONTRACT_75 }),
    rows: (value) => {
      const detail = value as { contract: ContractJson; chain: ReadonlyArray<ContractJson> }
      return [detail.contract, ...detail.chain].map(regionOfContract)
    },
    nonEmpty: true
  },
  FindingsQuery: {
    rest: (column) => ({ method: "GET", path: `/api/v1/findings${regionQuery(column)}` }),
    rpc: regionPayload,
    rows: (value) => findingRegions((value as { findings: ReadonlyArray<FindingJson> }).findings),
    nonEmpty: true
  },
  FindingsCounts: {
    rest: (column) => ({ method: "GET", path: `/api/v1/findings/counts${regionQuery(column)}` }),
    rpc: regionPayload,
    rows: (value) => (value as { counts: ReadonlyArray<FindingJson> }).counts.map((c) => c.region),
    nonEmpty: true
  },
  FindingsExport: {
    rest: (column) => ({ method: "GET", path: `/api/v1/findings/export${regionQuery(column)}` }),
    rpc: regionPayload,
    // An empty stream ends with a void exit: no chunks, no value.
    rows: (value) => findingRegions((value ?? []) as ReadonlyArray<FindingJson>),
    nonEmpty: true
  },
  IndicatorsCatalogue: { rest: () => ({ method: "GET", path: "/api/v1/indicators" }), rpc: () => undefined },
  RunsStart: {
    rest: () => ({ method: "POST", path: "/api/v1/runs", body: { params: { only: ["super-dumping"] } } }),
    rpc: () => ({ params: { only: ["super-dumping"] } }),
    created: 202,
    ready: noRunQueued
  },
  RunsList: { rest: () => ({ method: "GET", path: "/api/v1/runs" }), rpc: () => ({}) },
  RunsGet: { rest: () => ({ method: "GET", path: "/api/v1/runs/1" }), rpc: () => ({ id: 1 }) },
  UsersList: { rest: () => ({ method: "GET", path: "/api/v1/users" }), rpc: () => ({}) },
  UsersCreate: {
    rest: () => ({
      method: "POST",
      path: "/api/v1/users",
      body: { username: `matrix-${++created}`, password: "matrix password 123", roles: ["viewer"], regions: ["71"] }
    }),
    rpc: () => ({
      username: `matrix-${++created}`,
      password: "matrix password 123",
      roles: ["viewer"],
      regions: ["71"]
    }),
    created: 201
  },
  UsersGet: { rest: () => ({ method: "GET", path: `/api/v1/users/${target()}` }), rpc: () => ({ id: target() }) },
  UsersUpdate: {
    rest: () => ({ method: "PATCH", path: `/api/v1/users/${target()}`, body: { displayName: "Target" } }),
    rpc: () => ({ id: target(), displayName: "Target" })
  },
  UsersDisable: {
    rest: () => ({ method: "POST", path: `/api/v1/users/${target()}/disable` }),
    rpc: () => ({ id: target() })
  }
}

const principalOf = (caller: Exclude<Caller, "anonymous">): Principal => ({
  userId: "probe" as UserId,
  username: "probe" as Username,
  roles: [ROLE[caller]],
  regions: ["71"]
})

/** What the table and the policy say the answer must be. */
const expected = (op: Operation, caller: Caller, column: Column): { status: number; tag: string } => {
  const spec = CASES[op.rpc] as Case
  if (op.access === "public") return spec.publicOutcome as { status: number; tag: string }
  if (caller === "anonymous") return { status: 401, tag: "Unauthenticated" }
  if (op.access !== "authenticated" && !can(principalOf(caller), op.access as Permission)) {
    return { status: 403, tag: "Forbidden" }
  }
  if (op.rpc === "ContractsGet" && column === "out-of-region" && caller !== "admin") {
    return { status: 404, tag: "NotFound" }
  }
  return { status: spec.created ?? 200, tag: "success" }
}

const visible = (caller: Caller, region: RegionCode | null): boolean => caller === "admin" || region === "71"

const checkRows = (op: Operation, caller: Caller, column: Column, value: unknown) => {
  const spec = CASES[op.rpc] as Case
  if (spec.rows === undefined) return
  const regions = spec.rows(value)
  const leaked = regions.filter((region) => !visible(caller, region))
  assert.deepStrictEqual(leaked, [], `${op.rpc} as ${caller} (${column}) returned out-of-region rows`)
  if (spec.nonEmpty !== true) return
  if (column === "in-region" || caller === "admin") {
    assert.isAbove(regions.length, 0, `${op.rpc} as ${caller} (${column}) returned no rows`)
  }
  if (column === "out-of-region" && caller === "admin") {
    assert.isTrue(
      regions.every((r) => r === "75"),
      `${op.rpc} as admin asked for 75 and got ${regions.join(",")}`
    )
  }
}

const parseRest = async (response: Response): Promise<unknown> => {
  const text = await response.text()
  if ((response.headers.get("content-type") ?? "").includes("ndjson")) {
    return text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as unknown)
  }
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown)
}

describe("the operations table", () => {
  it("covers every RPC procedure", () => {
    assert.deepStrictEqual(OPERATIONS.map((o) => o.rpc).sort(), [...AdalQarauRpcs.requests.keys()].sort())
  })

  it("covers every REST endpoint", () => {
    const table = OPERATIONS.map((o) => `${o.rest.method} ${o.rest.path}`).sort()
    const api = restRoutes(AdalQarauApi)
      .map((r) => `${r.method} ${r.path}`)
      .sort()
    assert.deepStrictEqual(table, api)
  })

  it("is what each RPC procedure declares: the permission checked before its payload is decoded", () => {
    for (const op of OPERATIONS) {
      const rpc = AdalQarauRpcs.requests.get(op.rpc)
      assert.isDefined(rpc, op.rpc)
      const declared = Option.getOrUndefined(Context.getOption(rpc?.annotations ?? Context.empty(), RequiredPermission))
      const wanted = op.access === "public" || op.access === "authenticated" ? undefined : op.access
      assert.strictEqual(declared, wanted, op.rpc)
      assert.strictEqual(new Set<unknown>(rpc?.middlewares).has(RpcAuthentication), op.access !== "public", op.rpc)
    }
  })

  it("has a matrix case for every operation", () => {
    assert.deepStrictEqual(Object.keys(CASES).sort(), OPERATIONS.map((o) => o.rpc).sort())
  })
})

/**
 * The whole matrix over one set of ports. Region scoping lives in the stores (in the SQL for PostgreSQL), so the
 * matrix runs over the in-memory ports and over the PostgreSQL stores on a fresh test database.
 */
const matrix = (label: string, ports?: () => Promise<Layer.Layer<PortServices, unknown>>) =>
  describe(label, () => {
    beforeAll(async () => {
      // Generous login limits: the matrix fails logins on purpose, many times, from one address.
      server = await startTestServer({
        auth: { loginMaxFailuresPerUser: 1000, loginMaxFailuresPerAddress: 1000 },
        ...(ports === undefined ? {} : { ports: await ports() })
      })
      for (const caller of ["viewer", "analyst", "admin"] as const) {
        tokens[caller] = (await loginRest(server.baseUrl, caller)).accessToken
      }
    })
    afterAll(() => server.close())

    for (const op of OPERATIONS) {
      describe(`${op.rpc} (${op.rest.method} ${op.rest.path}, ${op.access})`, () => {
        for (const caller of CALLERS) {
          for (const column of COLUMNS) {
            const want = expected(op, caller, column)
            const spec = CASES[op.rpc] as Case
            const token = () => (caller === "anonymous" ? undefined : tokens[caller])

            it(`REST as ${caller}, ${column}: ${want.status}`, async () => {
              await spec.ready?.()
              const request = spec.rest(column)
              const response = await fetch(`${server.baseUrl}${request.path}`, {
                method: request.method,
                headers: {
                  ...(token() === undefined ? {} : { authorization: `Bearer ${token()}` }),
                  ...(request.body === undefined ? {} : { "content-type": "application/json" })
                },
                ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) })
              })
              const body = await parseRest(response)
              assert.strictEqual(response.status, want.status, JSON.stringify(body))
              if (want.tag === "success") checkRows(op, caller, column, body)
              else assert.isDefined(body, "error answers carry a body")
            })

            it(`RPC as ${caller}, ${column}: ${want.tag}`, async () => {
              await spec.ready?.()
              const result = await callRpc(server.baseUrl, op.rpc, spec.rpc(column), token())
              assert.strictEqual(result.outcome, want.tag, JSON.stringify(result.error))
              if (want.tag === "success") checkRows(op, caller, column, result.value)
            })
          }
        }
      })
    }
  })

matrix("in-memory ports")

const adminUrl = pgAdminUrl()
if (adminUrl !== undefined) {
  let dropDatabase: () => Promise<void> = async () => {}
  afterAll(() => dropDatabase())
  matrix("PostgreSQL stores", async () => {
    const scope = Effect.runSync(Scope.make())
    const url = await Effect.runPromise(Scope.provide(scope)(pgTestDatabaseUrl(adminUrl)))
    dropDatabase = () => Effect.runPromise(Scope.close(scope, Exit.void))
    return layerStorage(layerPgFromConfig).pipe(
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { DATABASE_URL: url } })))
    )
  })
}
