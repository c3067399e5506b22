import {
  Catalogue,
  Conflict,
  ContractDetail,
  ContractPage,
  CreateUserInput,
  Finding,
  FindingCounts,
  FindingPage,
  Forbidden,
  InvalidInput,
  Me,
  NotFound,
  Run,
  RunPage,
  TokenPair,
  TooManyAttempts,
  Unauthenticated,
  Unavailable,
  UpdateUserInput,
  User,
  UserId,
  UserPage
} from "@adalqarau/core"
import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import {
  closed,
  ContractIdParams,
  ContractSearchRequest,
  FindingFilterRequest,
  FindingQueryRequest,
  LoginRequest,
  RefreshRequest,
  RunIdParams,
  RunListRequest,
  StartRunRequest,
  UserIdParams,
  UserListRequest
} from "./inputs.ts"
import { RpcAuthentication } from "./security.ts"

/**
 * The operations as RPC procedures (`effect/rpc` over HTTP POST at `/rpc`, ndjson). Client-safe: no server code.
 * Every payload is `closed`: a key a procedure does not declare is refused, as REST refuses it in a body.
 */

const Denied = [Forbidden, Unavailable] as const

export class PublicRpcs extends RpcGroup.make(
  Rpc.make("Login", {
    payload: closed(LoginRequest),
    success: TokenPair,
    error: Schema.Union([Unauthenticated, TooManyAttempts, Unavailable])
  }),
  Rpc.make("Refresh", {
    payload: closed(RefreshRequest),
    success: TokenPair,
    error: Schema.Union([Unauthenticated, Unavailable])
  }),
  Rpc.make("Logout", { payload: closed(RefreshRequest), error: Unavailable })
) {}

export class ProtectedRpcs extends RpcGroup.make(
  Rpc.make("Me", { success: Me, error: Schema.Union([NotFound, Unavailable]) }),
  Rpc.make("ContractsSearch", {
    payload: closed(ContractSearchRequest),
    success: ContractPage,
    error: Schema.Union([...Denied, InvalidInput])
  }),
  Rpc.make("ContractsGet", {
    payload: closed(Schema.Struct(ContractIdParams)),
    success: ContractDetail,
    error: Schema.Union([...Denied, NotFound])
  }),
  Rpc.make("FindingsQuery", {
    payload: closed(FindingQueryRequest),
    success: FindingPage,
    error: Schema.Union([...Denied, InvalidInput])
  }),
  Rpc.make("FindingsCounts", {
    payload: closed(FindingFilterRequest),
    success: FindingCounts,
    error: Schema.Union([...Denied, InvalidInput])
  }),
  Rpc.make("FindingsExport", {
    payload: closed(FindingFilterRequest),
    success: Finding,
    error: Schema.Union([...Denied, InvalidInput]),
    stream: true
  }),
  Rpc.make("IndicatorsCatalogue", { success: Catalogue, error: Forbidden }),
  Rpc.make("RunsStart", {
    payload: closed(StartRunRequest),
    success: Run,
    error: Schema.Union([...Denied, InvalidInput, Conflict])
  }),
  Rpc.make("RunsList", {
    payload: closed(Schema.Struct(RunListRequest)),
    success: RunPage,
    error: Schema.Union(Denied)
  }),
  Rpc.make("RunsGet", {
    payload: closed(Schema.Struct(RunIdParams)),
    success: Run,
    error: Schema.Union([...Denied, NotFound])
  }),
  Rpc.make("UsersList", {
    payload: closed(Schema.Struct(UserListRequest)),
    success: UserPage,
    error: Schema.Union(Denied)
  }),
  Rpc.make("UsersCreate", {
    payload: closed(CreateUserInput),
    success: User,
    error: Schema.Union([...Denied, InvalidInput, Conflict])
  }),
  Rpc.make("UsersGet", {
    payload: closed(Schema.Struct(UserIdParams)),
    success: User,
    error: Schema.Union([...Denied, NotFound])
  }),
  Rpc.make("UsersUpdate", {
    payload: closed(Schema.Struct({ id: UserId, ...UpdateUserInput.fields })),
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  }),
  Rpc.make("UsersDisable", {
    payload: closed(Schema.Struct(UserIdParams)),
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  })
).middleware(RpcAuthentication) {}

export class AdalQarauRpcs extends PublicRpcs.merge(ProtectedRpcs) {}
