import {
  Auth,
  catalogue,
  Contracts,
  CurrentPrincipal,
  FindingPage,
  Findings,
  InvalidInput,
  type Principal,
  Runs,
  Users
} from "@adalqarau/core"
import { Effect, Layer, Stream } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AdalQarauApi } from "../api/HttpApi.ts"
import { DEFAULT_PAGE } from "../api/inputs.ts"
import { contractSearchOf, findingFilterOfQuery } from "../api/mapping.ts"
import { currentClientAddress } from "../ops/clientAddress.ts"
import { encodedOnce } from "./encodedOnce.ts"

/** REST handlers: each maps its request and calls the use case RPC calls too. */

const asPrincipal = <A, E, R>(useCase: (principal: Principal) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(CurrentPrincipal, useCase)

/**
 * A use case names a field by its path in the input it was given. Over REST that input is the body, and issue
 * paths start with the request part as the schema's own errors do (`payload.params.only.0`), so a client reads
 * every 400 the same way.
 */
const inPayload = <A, E, R>(useCase: Effect.Effect<A, E | InvalidInput, R>): Effect.Effect<A, E | InvalidInput, R> =>
  Effect.mapError(useCase, (e) =>
    e instanceof InvalidInput ? new InvalidInput({ field: `payload.${e.field}`, message: e.message }) : e
  )

const AuthHandlers = HttpApiBuilder.group(AdalQarauApi, "auth", (handlers) =>
  handlers
    .handle("login", ({ payload }) =>
      Effect.flatMap(currentClientAddress, (clientAddress) =>
        Auth.login({ username: payload.username, password: payload.password, clientAddress })
      )
    )
    .handle("refresh", ({ payload }) => Auth.refresh(payload.refreshToken))
    .handle("logout", ({ payload }) => Auth.logout(payload.refreshToken))
    .handle("me", () => asPrincipal(Users.me))
)

/** The query parameter of a use case's field where REST spells it otherwise (the measure range is flat). */
const QUERY_PARAMETER: Readonly<Record<string, string>> = { "measure.name": "measure", "measure.max": "measureMax" }

/** Use cases name filter fields as the RPC payload has them; REST has them as query parameters. */
const inQuery = <A, E, R>(useCase: Effect.Effect<A, E | InvalidInput, R>): Effect.Effect<A, E | InvalidInput, R> =>
  Effect.mapError(useCase, (e) =>
    e instanceof InvalidInput
      ? new InvalidInput({ field: `query.${QUERY_PARAMETER[e.field] ?? e.field}`, message: e.message })
      : e
  )

const ContractsHandlers = HttpApiBuilder.group(AdalQarauApi, "contracts", (handlers) =>
  handlers
    .handle("search", ({ query }) => asPrincipal((p) => inQuery(Contracts.searchContracts(p, contractSearchOf(query)))))
    .handle("get", ({ params }) => asPrincipal((p) => Contracts.getContract(p, params.id)))
)

const findingPageResponse = encodedOnce(FindingPage)

/**
 * An export's status is sent with its first bytes; a page that fails after that can only cut the connection (the
 * client sees a truncated body, never a clean end). The access log still says 200, so the cut is logged here.
 */
const loggedIfCutShort = <A, E, R>(findings: Stream.Stream<A, E, R>) =>
  Stream.tapError(findings, (error) => Effect.logError("findings export cut short after its response began", error))

const FindingsHandlers = HttpApiBuilder.group(AdalQarauApi, "findings", (handlers) =>
  handlers
    .handle("query", ({ query }) =>
      asPrincipal((p) =>
        Effect.flatMap(findingFilterOfQuery(query), (filter) =>
          inQuery(
            Findings.queryFindings(p, { ...filter, afterKey: query.afterKey, limit: query.limit ?? DEFAULT_PAGE })
          )
        )
      ).pipe(Effect.flatMap(findingPageResponse))
    )
    .handle("counts", ({ query }) =>
      asPrincipal((p) =>
        Effect.flatMap(findingFilterOfQuery(query), (filter) => inQuery(Findings.countFindings(p, filter)))
      )
    )
    .handle("export", ({ query }) =>
      asPrincipal((p) =>
        Effect.flatMap(findingFilterOfQuery(query), (filter) => inQuery(Findings.exportFindings(p, filter)))
      ).pipe(Effect.map(loggedIfCutShort))
    )
)

const IndicatorsHandlers = HttpApiBuilder.group(AdalQarauApi, "indicators", (handlers) =>
  handlers.handle("catalogue", () => asPrincipal(catalogue))
)

const RunsHandlers = HttpApiBuilder.group(AdalQarauApi, "runs", (handlers) =>
  handlers
    .handle("start", ({ payload }) => asPrincipal((p) => Runs.startRun(p, payload.params ?? {})).pipe(inPayload))
    .handle("list", ({ query }) =>
      asPrincipal((p) => Runs.listRuns(p, { beforeId: query.beforeId, limit: query.limit ?? DEFAULT_PAGE }))
    )
    .handle("get", ({ params }) => asPrincipal((p) => Runs.getRun(p, params.id)))
)

const UsersHandlers = HttpApiBuilder.group(AdalQarauApi, "users", (handlers) =>
  handlers
    .handle("list", ({ query }) =>
      asPrincipal((p) => Users.listUsers(p, { afterUsername: query.afterUsername, limit: query.limit ?? DEFAULT_PAGE }))
    )
    .handle("create", ({ payload }) => asPrincipal((p) => Users.createUserAs(p, payload)).pipe(inPayload))
    .handle("get", ({ params }) => asPrincipal((p) => Users.getUser(p, params.id)))
    .handle("update", ({ params, payload }) => asPrincipal((p) => Users.updateUser(p, params.id, payload)))
    .handle("disable", ({ params }) => asPrincipal((p) => Users.disableUser(p, params.id)))
)

export const layerHttpHandlers = Layer.mergeAll(
  AuthHandlers,
  ContractsHandlers,
  FindingsHandlers,
  IndicatorsHandlers,
  RunsHandlers,
  UsersHandlers
)
