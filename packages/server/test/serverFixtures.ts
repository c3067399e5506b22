/**
 * A small hand-made dataset in three customer regions (Astana 71, Almaty 75, unknown) with findings from the
 * in-memory engine, seeded users of every role, and a real server on 127.0.0.1 (port 0) over the in-memory ports.
 * Shared by the server, auth, authz and e2e tests.
 */
import {
  type Bin,
  completeBin,
  ContractStore,
  decodeRecord,
  IndicatorEngine,
  type Instant,
  type ProcurementRecord,
  type RecordKind,
  type RegionCode,
  type Role,
  RunStore,
  type User,
  type UserId,
  Users
} from "@adalqarau/core"
import { Context, Effect, Exit, Layer, Logger, Option, Redacted, References, Scope } from "effect"
import { HttpServer } from "effect/http"
import { AuthConfig, type AuthSettings } from "../src/auth/AuthConfig.ts"
import { DEFAULT_SCRYPT, layerScryptPasswordHasher, type ScryptParams } from "../src/auth/ScryptPasswordHasher.ts"
import { ServerConfig, type ServerSettings } from "../src/ops/ServerConfig.ts"
import { layerMemoryPorts, layerServer, type PortServices } from "../src/Server.ts"

const binOf = (seed: number): Bin => {
  for (let j = 0; j < 10; j++) {
    const bin = completeBin(String(seed * 10 + j).padStart(11, "0"))
    if (bin !== undefined) return bin
  }
  throw new Error(`no BIN for seed ${seed}`)
}

export const CUSTOMER_71 = binOf(7101)
export const CUSTOMER_75 = binOf(7501)
export const CUSTOMER_UNKNOWN = binOf(9901)
export const SUPPLIER = binOf(2001)

/** The region of each customer, to check which region a returned row belongs to. */
export const REGION_OF_CUSTOMER: ReadonlyMap<string, RegionCode | null> = new Map([
  [CUSTOMER_71, "71"],
  [CUSTOMER_75, "75"],
  [CUSTOMER_UNKNOWN, null]
])

/** Contract id → region of its customer. */
export const REGION_OF_CONTRACT: ReadonlyMap<number, RegionCode | null> = new Map([
  [101, "71"],
  [102, "71"],
  [103, "71"],
  [104, "71"],
  [201, "75"],
  [202, "75"],
  [301, null]
])

/** A contract of each region that exists and carries findings; 103 amends 102. */
export const CONTRACT_71 = 102
export const CONTRACT_75 = 201

const contract = (id: number, customer: Bin, sum: number, extra: Record<string, unknown> = {}) => ({
  id,
  crdate: "2024-05-01 10:00:00",
  sign_date: `2024-05-${String(2 + (id % 20)).padStart(2, "0")} 10:00:00`,
  ref_contract_status_id: 190,
  ref_contract_type_id: 1,
  ref_contract_year_type_id: 1,
  customer_bin: customer,
  supplier_biin: SUPPLIER,
  contract_number: `N-${id}`,
  contract_sum_wnds: sum,
  fakt_sum_wnds: sum,
  last_update_date: "2024-05-02 10:00:00",
  ...extra
})

/** Root contracts with a 1000-tenge lot each: sums 500 → 50 % reduction, 600 → 40 %, 690 → 31 %, 990 → 1 %. */
const ROOTS: ReadonlyArray<readonly [number, Bin, number]> = [
  [101, CUSTOMER_71, 500],
  [102, CUSTOMER_71, 600],
  [104, CUSTOMER_71, 990],
  [201, CUSTOMER_75, 500],
  [202, CUSTOMER_75, 690],
  [301, CUSTOMER_UNKNOWN, 500]
]

export const RAW_DATASET: ReadonlyArray<readonly [RecordKind, unknown]> = [
  ["subject", { bin: CUSTOMER_71, name_ru: "Заказчик Астана", kato: "711110000" }],
  ["subject", { bin: CUSTOMER_75, name_ru: "Заказчик Алматы", kato: "751110000" }],
  ["subject", { bin: CUSTOMER_UNKNOWN, name_ru: "Заказчик без КАТО", kato: null }],
  ["subject", { bin: SUPPLIER, name_ru: "Поставщик", kato: "711110000" }],
  ...ROOTS.flatMap(
    ([id, customer, sum]): Array<readonly [RecordKind, unknown]> => [
      ["lot", { id: 10_000 + id, amount: 1000, customer_bin: customer }],
      ["contract", contract(id, customer, sum)],
      ["unit", { id: 20_000 + id, contract_id: id, lot_id: 10_000 + id }]
    ]
  ),
  [
    "contract",
    contract(103, CUSTOMER_71, 650, {
      parent_id: 102,
      root_id: 102,
      ref_contract_type_id: 2,
      sign_date: "2024-06-10 10:00:00",
      last_update_date: "2024-06-10 10:00:00"
    })
  ]
]

export const decodeDataset = (rows: ReadonlyArray<readonly [RecordKind, unknown]>): Array<ProcurementRecord> =>
  rows.map(([kind, raw]) => {
    const decoded = decodeRecord(kind, raw)
    if (!decoded.ok) throw new Error(decoded.rejection.text)
    return decoded.value
  })

/** Decodes what decodes; generated datasets plant malformed records on purpose, and those are left out. */
export const decodeAccepted = (rows: Iterable<readonly [RecordKind, unknown]>): Array<ProcurementRecord> => {
  const records: Array<ProcurementRecord> = []
  for (const [kind, raw] of rows) {
    const decoded = decodeRecord(kind, raw)
    if (decoded.ok) records.push(decoded.value)
  }
  return records
}

export const PASSWORD = "correct horse battery staple"

export interface SeededUser {
  readonly username: string
  readonly roles: ReadonlyArray<Role>
  readonly regions: ReadonlyArray<RegionCode>
}

/** Restricted users see Astana (71); admin sees all. `target` is the user the user-management operations act on. */
export const SEEDED_USERS = {
  admin: { username: "admin", roles: ["admin"], regions: [] },
  analyst: { username: "analyst", roles: ["analyst"], regions: ["71"] },
  viewer: { username: "viewer", roles: ["viewer"], regions: ["71"] },
  target: { username: "target", roles: ["viewer"], regions: ["75"] }
} as const satisfies Record<string, SeededUser>

export type SeededName = keyof typeof SEEDED_USERS

export interface TestServer {
  readonly baseUrl: string
  readonly users: Readonly<Record<SeededName, User>>
  /** Runs an effect against the server's own ports (to inspect or change state behind the API). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, PortServices>) => Promise<A>
  readonly close: () => Promise<void>
}

const quietLogs = Layer.mergeAll(Logger.layer([]), Layer.succeed(References.MinimumLogLevel, "None"))

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123456789"

/**
 * scrypt at N = 2^12 (4 MiB): tests that are not about hashing spend their time on what they test. The e2e and
 * password tests run the production parameters (`DEFAULT_SCRYPT`, N = 2^15).
 */
export const FAST_SCRYPT: ScryptParams = { logN: 12, r: 8, p: 1 }
export { DEFAULT_SCRYPT }

export interface TestServerOptions {
  readonly scrypt?: ScryptParams
  readonly auth?: Partial<AuthSettings>
  readonly server?: Partial<ServerSettings>
  /** Loggers to send the server's logs to (default: none). */
  readonly logger?: Layer.Layer<never>
  /** The records to seed (raw OWS rows; rejected ones are skipped); default: the hand-made fixture. */
  readonly dataset?: Iterable<readonly [RecordKind, unknown]>
  /** The ports to run on (default: in memory); e.g. the PostgreSQL stores over a test database. */
  readonly ports?: Layer.Layer<PortServices, unknown>
  /** Replaces ports after seeding (to make a store fail, say). */
  readonly alterPorts?: (ports: Context.Context<PortServices>) => Context.Context<PortServices>
}

/**
 * Seeds the ports (dataset, findings from one engine run, users, one run record) and starts the server on a free
 * port. The ports are built once and shared by the seeding, the server, and `run`.
 */
export const startTestServer = async (options: TestServerOptions = {}): Promise<TestServer> => {
  const scope = Effect.runSync(Scope.make())
  const logs = options.logger ?? quietLogs
  const scrypt = options.scrypt ?? FAST_SCRYPT
  const build = Effect.gen(function* () {
    const ports = yield* Layer.build(options.ports ?? layerMemoryPorts)
    const users = yield* Effect.gen(function* () {
      yield* (yield* ContractStore).upsert(
        options.dataset === undefined ? decodeDataset(RAW_DATASET) : decodeAccepted(options.dataset)
      )
      yield* (yield* IndicatorEngine).run({})
      const created: Partial<Record<SeededName, User>> = {}
      for (const [name, spec] of Object.entries(SEEDED_USERS) as Array<[SeededName, SeededUser]>) {
        created[name] = yield* Users.createUser({
          username: spec.username,
          password: Redacted.make(PASSWORD),
          roles: spec.roles,
          regions: spec.regions
        })
      }
      yield* (yield* RunStore).create({
        params: {},
        requestedBy: (created.admin as User).id,
        at: Date.now() as Instant
      })
      return created as Record<SeededName, User>
    }).pipe(Effect.provideContext(ports), Effect.provide(layerScryptPasswordHasher(scrypt)))
    const server = yield* Layer.build(
      layerServer({ scrypt }).pipe(
        Layer.provide([
          Layer.succeedContext(options.alterPorts?.(ports) ?? ports),
          ServerConfig.layer({ port: 0, ...options.server }),
          AuthConfig.layer({ jwtSecret: Option.some(Redacted.make(TEST_JWT_SECRET)), ...options.auth })
        ]),
        Layer.provide(logs)
      )
    )
    const address = Context.get(server, HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") throw new Error("expected a TCP address")
    return { ports, users, baseUrl: `http://127.0.0.1:${address.port}` }
  }).pipe(Effect.provide(logs), Scope.provide(scope))
  const built = await Effect.runPromise(build)
  return {
    baseUrl: built.baseUrl,
    users: built.users,
    run: (effect) => Effect.runPromise(effect.pipe(Effect.provideContext(built.ports))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export interface Tokens {
  readonly accessToken: string
  readonly refreshToken: string
}

export const loginRest = async (baseUrl: string, username: string, password = PASSWORD): Promise<Tokens> => {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password })
  })
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Tokens
}

export const userIdOf = (server: TestServer, name: SeededName): UserId => server.users[name].id
