import { Auth, catalogue, Contracts, CurrentPrincipal, Findings, type Principal, Runs, Users } from "@adalqarau/core"
import { Effect, Stream } from "effect"
import { contractSearchOf, findingFilterOf, findingSearchOf } from "../api/mapping.ts"
import { DEFAULT_PAGE } from "../api/inputs.ts"
import { AdalQarauRpcs } from "../api/Rpcs.ts"
import { currentClientAddress } from "../ops/clientAddress.ts"
import { recordRpcCall } from "../ops/HttpMetrics.ts"

/** Runs a use case as the current principal and counts the call by outcome. */
const asPrincipal =
  (rpc: string) =>
  <A, E, R>(useCase: (principal: Principal) => Effect.Effect<A, E, R>) =>
    Effect.flatMap(CurrentPrincipal, useCase).pipe(
      Effect.onExit((exit) => recordRpcCall(rpc, exit._tag === "Success" ? "success" : "failure"))
    )

const counted =
  (rpc: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.onExit((exit) => recordRpcCall(rpc, exit._tag === "Success" ? "success" : "failure")))

/** The RPC procedures: each one maps its payload and calls the use case REST calls too. */
export const layerRpcHandlers = AdalQarauRpcs.toLayer(
  Effect.succeed(
    AdalQarauRpcs.of({
      Login: ({ username, password }) =>
        counted("Login")(
          Effect.flatMap(currentClientAddress, (clientAddress) => Auth.login({ username, password, clientAddress }))
        ),
      Refresh: ({ refreshToken }) => counted("Refresh")(Auth.refresh(refreshToken)),
      Logout: ({ refreshToken }) => counted("Logout")(Auth.logout(refreshToken)),
      Me: () => asPrincipal("Me")(Users.me),
      ContractsSearch: (request) =>
        asPrincipal("ContractsSearch")((p) => Contracts.searchContracts(p, contractSearchOf(request))),
      ContractsGet: ({ id }) => asPrincipal("ContractsGet")((p) => Contracts.getContract(p, id)),
      FindingsQuery: (request) =>
        asPrincipal("FindingsQuery")((p) => Findings.queryFindings(p, findingSearchOf(request))),
      FindingsCounts: (request) =>
        asPrincipal("FindingsCounts")((p) => Findings.countFindings(p, findingFilterOf(request))),
      FindingsExport: (request) =>
        Stream.unwrap(asPrincipal("FindingsExport")((p) => Findings.exportFindings(p, findingFilterOf(request)))),
      IndicatorsCatalogue: () => asPrincipal("IndicatorsCatalogue")(catalogue),
      RunsStart: ({ params }) => asPrincipal("RunsStart")((p) => Runs.startRun(p, params ?? {})),
      RunsList: ({ beforeId, limit }) =>
        asPrincipal("RunsList")((p) => Runs.listRuns(p, { beforeId, limit: limit ?? DEFAULT_PAGE })),
      RunsGet: ({ id }) => asPrincipal("RunsGet")((p) => Runs.getRun(p, id)),
      UsersList: ({ afterUsername, limit }) =>
        asPrincipal("UsersList")((p) => Users.listUsers(p, { afterUsername, limit: limit ?? DEFAULT_PAGE })),
      UsersCreate: (input) => asPrincipal("UsersCreate")((p) => Users.createUserAs(p, input)),
      UsersGet: ({ id }) => asPrincipal("UsersGet")((p) => Users.getUser(p, id)),
      UsersUpdate: ({ id, ...input }) => asPrincipal("UsersUpdate")((p) => Users.updateUser(p, id, input)),
      UsersDisable: ({ id }) => asPrincipal("UsersDisable")((p) => Users.disableUser(p, id))
    })
  )
)
