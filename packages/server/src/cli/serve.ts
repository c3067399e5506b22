import { randomBytes } from "node:crypto"
import { createServer } from "node:net"
import { SqlImporter } from "@adalqarau/adapters/postgres"
import {
  accepted,
  ContractStore,
  decodeRecord,
  IndicatorEngine,
  locateRejection,
  rejected,
  Users
} from "@adalqarau/core"
import { type GeneratedRecord, generateStream } from "@adalqarau/core/testing"
import { Config, Console, Context, Effect, Layer, Logger, Option, Redacted, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import { HttpServer } from "effect/http"
import { AuthConfig } from "../auth/AuthConfig.ts"
import { layerScryptPasswordHasher } from "../auth/ScryptPasswordHasher.ts"
import { layerLoggingFromEnv } from "../ops/Logging.ts"
import { ServerConfig } from "../ops/ServerConfig.ts"
import { layerCachedReads, layerServer } from "../Server.ts"
import { type CliFailure, runFailure } from "./CliFailure.ts"
import { describeDatabase, withDatabase } from "./database.ts"
import { formatCount, formatDuration } from "./output.ts"

export interface ServeOptions {
  /** Contracts of the demo dataset loaded into an empty database; 0 loads none. */
  readonly demoContracts: number
}

/** On the first start (no contract stored), loads a generated demo dataset and computes the indicators. */
const seedDemo = (contracts: number) =>
  Effect.gen(function* () {
    const counts = yield* (yield* ContractStore).count.pipe(Effect.mapError((e) => runFailure(e.message)))
    if (counts.contract > 0 || contracts === 0) return
    yield* Console.log(`First start: loading a generated demo dataset of ${formatCount(contracts)} contracts…`)
    const started = performance.now()
    const items = generateStream({ contracts, seed: 1 }).pipe(
      Stream.filter((item): item is GeneratedRecord => item.kind !== "label"),
      Stream.map((item) => {
        const decoded = decodeRecord(item.kind, item.raw)
        return decoded.ok ? accepted(decoded.value) : rejected(locateRejection(decoded.rejection, "demo"))
      })
    )
    const report = yield* (yield* SqlImporter)
      .importSource(items, { source: "demo" })
      .pipe(Effect.mapError((e) => runFailure(`loading the demo dataset failed: ${e.message}`)))
    const run = yield* (yield* IndicatorEngine)
      .run()
      .pipe(Effect.mapError((e) => runFailure(`computing the indicators failed: ${e.message}`)))
    yield* Console.log(
      `Loaded ${formatCount(report.total.read)} records and found ${formatCount(run.findings)} risk findings in ` +
        formatDuration(performance.now() - started)
    )
  })

/**
 * Without an admin (and without ADALQARAU_ADMIN_USERNAME/PASSWORD, which the server applies itself), creates
 * `admin` with a random password and prints it once: there is no default password.
 */
const ensureAdmin = Effect.gen(function* () {
  const fromEnv = yield* Config.option(Config.String("ADALQARAU_ADMIN_USERNAME")).pipe(
    Effect.orElseSucceed(Option.none)
  )
  if (Option.isSome(fromEnv)) return
  const password = randomBytes(18).toString("base64url")
  const created = yield* Users.ensureAdmin({ username: "admin", password: Redacted.make(password) }).pipe(
    Effect.provide(layerScryptPasswordHasher()),
    Effect.mapError((e) => runFailure(`could not create the first admin: ${e.message}`))
  )
  if (Option.isSome(created)) {
    yield* Console.log(`Created the first admin. Username: admin  Password (shown once): ${password}`)
  }
})

const announce = Effect.gen(function* () {
  const server = yield* HttpServer.HttpServer
  const url = HttpServer.formatAddress(server.address).replace(/\/$/u, "")
  yield* Console.log(`AdalQarau is serving on ${url} — API docs: ${url}/docs, RPC: ${url}/rpc`)
})

/**
 * The first non-empty message along an error's causes: a ServeError has none of its own and carries the listener's
 * error (`listen EADDRINUSE: address already in use 127.0.0.1:8080`) as its cause.
 */
const reasonOf = (error: unknown): string => {
  let current: unknown = error
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error && current.message !== "") return current.message
    current = typeof current === "object" && "cause" in current ? current.cause : undefined
  }
  return error instanceof Error ? error.name : String(error)
}

/**
 * Whether the address can be listened on, tried before anything is written: a HOST that does not resolve, or a
 * port in use, found only when the server starts would come after the demo load and the first admin's one-time
 * password. The trial listener is closed at once; the server binds again when it starts.
 */
const canListen = (host: string, port: number): Effect.Effect<void, string> =>
  Effect.callback<void, string>((resume) => {
    const probe = createServer()
    probe.once("error", (error) => resume(Effect.fail(error.message)))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resume(Effect.void)))
  })

/**
 * The server over the database (PostgreSQL with DATABASE_URL, else the embedded PGlite): migrations at start, a
 * demo dataset and the indicators on first start, the first admin, then RPC + REST until SIGINT/SIGTERM.
 */
export const runServe = (options: ServeOptions): Effect.Effect<void, CliFailure> =>
  Effect.andThen(
    Effect.sync(() => {
      serving = true
    }),
    serveOverDatabase(options)
  )

let serving = false

/**
 * Whether this process was asked to serve: an interrupted server (SIGTERM, SIGINT) has done its job and exits 0,
 * whatever global flags came before `serve` on the command line (the bin's teardown asks).
 */
export const isServing = (): boolean => serving

const serveOverDatabase = (options: ServeOptions): Effect.Effect<void, CliFailure> =>
  withDatabase(
    Effect.scoped(
      Effect.gen(function* () {
        yield* Console.log(`Database: ${yield* describeDatabase}`)
        // Every setting is read before anything is written: a bad PORT or JWT_SECRET found after the demo load and
        // the first admin would leave both behind, with the admin's one-time password in a failed start's output.
        const settings = yield* Layer.build(Layer.mergeAll(ServerConfig.layerEnv, AuthConfig.layerEnv)).pipe(
          Effect.mapError((e) => runFailure(`the server failed: ${reasonOf(e)}`))
        )
        const { host, port } = Context.get(settings, ServerConfig)
        yield* canListen(host, port).pipe(
          Effect.mapError((reason) => runFailure(`the server cannot listen on ${host}:${port} (HOST, PORT): ${reason}`))
        )
        yield* seedDemo(options.demoContracts)
        yield* ensureAdmin
        const serving = Layer.effectDiscard(announce).pipe(
          Layer.provide(layerServer()),
          Layer.provide(layerCachedReads),
          Layer.provide(Layer.succeedContext(settings))
        )
        return yield* Layer.launch(serving).pipe(
          Effect.mapError((e) => runFailure(`the server failed: ${reasonOf(e)}`))
        )
      })
    )
  ).pipe(
    // Unlike the other commands, a server's output is its log stream: stdout, as docs/server.md promises, in
    // LOG_FORMAT from the first line (migrations and the demo load included), so a log collector reads one format.
    Effect.provide(Layer.merge(layerLoggingFromEnv, Layer.succeed(Logger.LogToStderr, false))),
    Effect.catch((error) =>
      Effect.fail(error._tag === "CliFailure" ? error : runFailure(`the server failed: ${reasonOf(error)}`))
    )
  )

export const serveCommand = Command.make(
  "serve",
  {
    demoContracts: Flag.Int("demo-contracts").pipe(
      Flag.withDescription("Contracts of the demo dataset loaded into an empty database (0: none)"),
      Flag.withDefault(5000)
    )
  },
  (input) => runServe({ demoContracts: input.demoContracts })
).pipe(
  Command.withDescription(
    "Run the RPC + REST server (OpenAPI at /openapi.json, Swagger UI at /docs) over the database; " +
      "an empty database gets a demo dataset and a one-time admin password"
  )
)
