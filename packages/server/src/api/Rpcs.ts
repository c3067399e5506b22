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
  ContractIdParams,
  ContractSearchRequest,
  FindingFilterRequest,
  FindingQueryRequest,
  LoginRequest,
  RefreshRequest,
  RunIdParams,
  RunListQuery,
  StartRunRequest,
  UserIdParams,
  UserListQuery
} from "./inputs.ts"
import { RpcAuthentication } from "./security.ts"

/** The operations as RPC procedures (`effect/rpc` over HTTP POST at `/rpc`, ndjson). Client-safe: no server code. */

const Denied = [Forbidden, Unavailable] as const

export class PublicRpcs extends RpcGroup.make(
  Rpc.make("Login", {
    payload: LoginRequest,
    success: TokenPair,
    error: Schema.Union([Unauthenticated, TooManyAttempts, Unavailable])
  }),
  Rpc.make("Refresh", {
    payload: RefreshRequest,
    success: TokenPair,
    error: Schema.Union([Unauthenticated, Unavailable])
  }),
  Rpc.make("Logout", { payload: RefreshRequest, error: Unavailable })
) {}

export class ProtectedRpcs extends RpcGroup.make(
  Rpc.make("Me", { success: Me, error: Schema.Union([NotFound, Unavailable]) }),
  Rpc.make("ContractsSearch", { payload: ContractSearchRequest, success: ContractPage, error: Schema.Union(Denied) }),
  Rpc.make("ContractsGet", {
    payload: ContractIdParams,
    success: ContractDetail,
    error: Schema.Union([...Denied, NotFound])
  }),
  Rpc.make("FindingsQuery", { payload: FindingQueryRequest, success: FindingPage, error: Schema.Union(Denied) }),
  Rpc.make("FindingsCounts", { payload: FindingFilterRequest, success: FindingCounts, error: Schema.Union(Denied) }),
  Rpc.make("FindingsExport", {
    payload: FindingFilterRequest,
    success: Finding,
    error: Schema.Union(Denied),
    stream: true
  }),
  Rpc.make("IndicatorsCatalogue", { success: Catalogue, error: Forbidden }),
  Rpc.make("RunsStart", { payload: StartRunRequest, success: Run, error: Schema.Union([...Denied, InvalidInput]) }),
  Rpc.make("RunsList", { payload: RunListQuery, success: RunPage, error: Schema.Union(Denied) }),
  Rpc.make("RunsGet", { payload: RunIdParams, success: Run, error: Schema.Union([...Denied, NotFound]) }),
  Rpc.make("UsersList", { payload: UserListQuery, success: UserPage, error: Schema.Union(Denied) }),
  Rpc.make("UsersCreate", {
    payload: CreateUserInput,
    success: User,
    error: Schema.Union([...Denied, InvalidInput, Conflict])
  }),
  Rpc.make("UsersGet", { payload: UserIdParams, success: User, error: Schema.Union([...Denied, NotFound]) }),
  Rpc.make("UsersUpdate", {
    payload: Schema.Struct({ id: UserId, ...UpdateUserInput.fields }),
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  }),
  Rpc.make("UsersDisable", {
    payload: UserIdParams,
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  })
).middleware(RpcAuthentication) {}

export class AdalQarauRpcs extends PublicRpcs.merge(ProtectedRpcs) {}
