import {
  type ChangeFeed,
  type ContractStore,
  type FindingStore,
  layerCachedFindingStore,
  layerCachedSessionStore,
  layerCachedUserStore,
  type IndicatorEngine,
  RunExecutor,
  type RunStore,
  type SessionStore,
  type UserStore
} from "@adalqarau/core"
import {
  layerMemoryContractStore,
  layerMemoryFindingStore,
  layerMemoryIndicatorEngine,
  layerMemoryRunStore,
  layerMemorySessionStore,
  layerMemoryUserStore
} from "@adalqarau/core/testing"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpMiddleware, HttpRouter, HttpServerResponse } from "effect/http"
import { HttpApiBuilder, HttpApiSwagger } from "effect/http-api"
import { RpcSerialization, RpcServer } from "effect/rpc"
import { createServer, type Server } from "node:http"
import { AdalQarauApi } from "./api/HttpApi.ts"
import { AdalQarauRpcs } from "./api/Rpcs.ts"
import type { AuthConfig } from "./auth/AuthConfig.ts"
import { layerBootstrapAdminFromEnv } from "./auth/bootstrapAdmin.ts"
import { type AuthServices, layerAuth } from "./auth/layer.ts"
import { layerExpiredSessionSweep } from "./auth/sessionSweep.ts"
import type { ScryptParams } from "./auth/ScryptPasswordHasher.ts"
import { layerHttpAuthentication } from "./http/Authentication.ts"
import { layerHttpHandlers } from "./http/handlers.ts"
import { layerProblemDetails } from "./http/problemDetails.ts"
import { makeEdgeMiddleware } from "./ops/Edge.ts"
import { layerRpcCallLimit } from "./ops/rpcCallLimit.ts"
import { layerHealthRoutes } from "./ops/Health.ts"
import { layerMetricsRoute } from "./ops/Metrics.ts"
import { makeRouteLabeler, restRoutes, servedMethods } from "./ops/routes.ts"
import { layerRouteProblems } from "./ops/routeProblems.ts"
import { ServerConfig, type ServerSettings } from "./ops/ServerConfig.ts"
import { layerRpcAuthentication } from "./rpc/Authentication.ts"
import { layerRpcHandlers } from "./rpc/handlers.ts"
import { layerRpcProtocolHttp } from "./rpc/Protocol.ts"

/** The ports the server runs on: in memory now, PostgreSQL/PGlite adapters when they are wired. */
export type PortServices = ContractStore | FindingStore | IndicatorEngine | UserStore | SessionStore | RunStore

/** The use cases' other services: credentials (server-side crypto) and the background run executor. */
export type AppServices = AuthServices | RunExecutor

export const RPC_PATH = "/rpc"
export const OPENAPI_PATH = "/openapi.json"
export const DOCS_PATH = "/docs"

/** Paths served outside the REST API, for metrics labels and the coverage tests. */
export const OPS_ROUTES = [
  { method: "POST", path: RPC_PATH },
  { method: "GET", path: OPENAPI_PATH },
  { method: "GET", path: DOCS_PATH },
  { method: "GET", path: "/health/live" },
  { method: "GET", path: "/health/ready" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/" }
] as const

/**
 * Responses a cache may keep: the API's description, the same for every caller and free of data. Everything else
 * is `no-store` (see ops/Edge.ts).
 */
const CACHEABLE_PATHS = [OPENAPI_PATH, DOCS_PATH]

const layerRestRoutes = HttpApiBuilder.layer(AdalQarauApi, { openapiPath: OPENAPI_PATH }).pipe(
  Layer.provide(layerHttpHandlers),
  Layer.provide([layerHttpAuthentication, layerProblemDetails])
)

const layerRpcRoute = RpcServer.layer(AdalQarauRpcs).pipe(
  Layer.provide([layerRpcHandlers, layerRpcAuthentication]),
  Layer.provide(layerRpcProtocolHttp({ procedures: AdalQarauRpcs.requests, path: RPC_PATH })),
  Layer.provide(RpcSerialization.layerNdjson)
)

/**
 * CORS for the configured origins. A request from any other origin gets no `access-control-allow-origin` at all,
 * rather than the one allowed origin (which `HttpRouter.cors` answers whenever a single one is configured): the
 * answer should not tell a stranger which origin is trusted. A preflight lists only the methods some route serves.
 */
const layerCors = (settings: ServerSettings): Layer.Layer<never, never, HttpRouter.HttpRouter> => {
  if (settings.corsOrigins.length === 0) return Layer.empty
  const anyOrigin = settings.corsOrigins.includes("*")
  return HttpRouter.middleware(
    HttpMiddleware.cors({
      // An empty list makes the middleware answer `*`.
      allowedOrigins: anyOrigin ? [] : (origin: string) => settings.corsOrigins.includes(origin),
      allowedMethods: servedMethods(ROUTES),
      allowedHeaders: ["authorization", "content-type", "x-request-id"],
      exposedHeaders: ["x-request-id", "retry-after", "www-authenticate"],
      maxAge: 600
    }),
    { global: true }
  )
}

/** Every route the server serves: for metrics labels and for `Allow` on 405. */
export const ROUTES = [...restRoutes(AdalQarauApi), ...OPS_ROUTES]

/**
 * Every route: REST under /api/v1 with /openapi.json and Swagger UI at /docs (its assets are inlined, so it works
 * offline), the RPC endpoint, health, metrics, CORS when configured, and problem answers for unknown routes, wrong
 * methods and unreadable bodies.
 */
export const layerRoutes = (settings: ServerSettings) =>
  Layer.mergeAll(
    layerRestRoutes,
    HttpApiSwagger.layer(AdalQarauApi, { path: DOCS_PATH }),
    layerRpcRoute,
    layerHealthRoutes,
    layerMetricsRoute,
    HttpRouter.add("GET", "/", HttpServerResponse.redirect(DOCS_PATH, { status: 302 })),
    layerCors(settings),
    layerRpcCallLimit(RPC_PATH),
    layerRouteProblems(ROUTES)
  )

export const routeLabeler = makeRouteLabeler(ROUTES)

/** Credentials, the run executor, the environment's first admin and the session sweep, over the ports. */
export const layerAppServices = (options: { readonly scrypt?: ScryptParams } = {}) =>
  Layer.mergeAll(layerBootstrapAdminFromEnv, layerExpiredSessionSweep()).pipe(
    Layer.provideMerge(Layer.mergeAll(layerAuth(options), RunExecutor.layerInProcess))
  )

/**
 * Node's `server.close()` waits for open connections; keep-alive connections that finish their last response after
 * it was called would hold shutdown for their idle timeout (5 s). While the server drains, idle connections are
 * closed as soon as they appear, so shutdown takes as long as the slowest in-flight request.
 */
const layerCloseIdleWhileDraining = (server: Server) =>
  Layer.effectDiscard(
    Effect.addFinalizer(() =>
      Effect.sync(() => {
        const timer = setInterval(() => server.closeIdleConnections(), 50)
        timer.unref()
        server.once("close", () => clearInterval(timer))
      })
    )
  )

/**
 * The whole server over the given ports: listens on `ServerConfig`'s host and port, drains in-flight requests for
 * up to `shutdownTimeout` when its scope closes (SIGTERM/SIGINT under `NodeRuntime.runMain`). Exposes `HttpServer`
 * (its address, for port 0) alongside.
 */
export const layerServer = (options: { readonly scrypt?: ScryptParams } = {}) =>
  Layer.unwrap(
    Effect.map(ServerConfig, (settings) => {
      const server = createServer()
      const serving = HttpRouter.serve(layerRoutes(settings), {
        disableLogger: true,
        middleware: makeEdgeMiddleware(settings, routeLabeler, CACHEABLE_PATHS)
      }).pipe(
        Layer.provide(layerAppServices(options)),
        Layer.provideMerge(
          NodeHttpServer.layer(() => server, {
            host: settings.host,
            port: settings.port,
            gracefulShutdownTimeout: settings.shutdownTimeout
          })
        )
      )
      // Built after the server, so its finalizer runs first, while the server's own waits for the drain.
      return layerCloseIdleWhileDraining(server).pipe(Layer.provideMerge(serving))
    })
  )

/**
 * Finding pages, counts, users by id and whether session families are revoked, served from process memory while
 * the database's ChangeFeed vouches that nothing changed (see core's caching): over PostgreSQL, a findings page or
 * an authenticated request then costs no query (PGlite hears the same notifications in process). Over
 * `ChangeFeed.layerDeaf` every read goes to the store.
 */
export const layerCachedReads: Layer.Layer<
  FindingStore | UserStore | SessionStore,
  never,
  FindingStore | UserStore | SessionStore | ChangeFeed
> = Layer.mergeAll(layerCachedFindingStore(), layerCachedUserStore(), layerCachedSessionStore())

/** Every port in process memory: for tests, demos and embedding. */
export const layerMemoryPorts: Layer.Layer<PortServices> = layerMemoryIndicatorEngine().pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      layerMemoryContractStore,
      layerMemoryFindingStore,
      layerMemoryUserStore,
      layerMemorySessionStore,
      layerMemoryRunStore
    )
  )
)

/** What `layerServer` needs: the ports and the two configurations. */
export type ServerRequirements = PortServices | ServerConfig | AuthConfig
