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
  type Permission,
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
import { RequiredPermission, RpcAuthentication } from "./security.ts"

/**
 * The operations as RPC procedures (`effect/rpc` over HTTP POST at `/rpc`, ndjson). Client-safe: no server code.
 * Every payload is `closed`: a key a procedure does not declare is refused, as REST refuses it in a body.
 */

const Denied = [Forbidden, Unavailable] as const

/**
 * The permission a procedure needs (`RequiredPermission`, as on the REST endpoints). The server checks it with the
 * token before the payload is decoded (rpc/Protocol.ts) and answers `Forbidden`, so the procedure must declare it:
 * a procedure that cannot answer `Forbidden` does not compile.
 */
const requires =
  (permission: Permission) =>
  <R extends Rpc.Any & { annotate(key: typeof RequiredPermission, value: Permission): R }>(
    rpc: Forbidden extends Rpc.ErrorExit<R> ? R : never
  ): R =>
    rpc.annotate(RequiredPermission, permission)

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
  }).pipe(requires("contracts:read")),
  Rpc.make("ContractsGet", {
    payload: closed(Schema.Struct(ContractIdParams)),
    success: ContractDetail,
    error: Schema.Union([...Denied, NotFound])
  }).pipe(requires("contracts:read")),
  Rpc.make("FindingsQuery", {
    payload: closed(FindingQueryRequest),
    success: FindingPage,
    error: Schema.Union([...Denied, InvalidInput])
  }).pipe(requires("findings:read")),
  Rpc.make("FindingsCounts", {
    payload: closed(FindingFilterRequest),
    success: FindingCounts,
    error: Schema.Union([...Denied, InvalidInput])
  }).pipe(requires("findings:read")),
  Rpc.make("FindingsExport", {
    payload: closed(FindingFilterRequest),
    success: Finding,
    error: Schema.Union([...Denied, InvalidInput]),
    stream: true
  }).pipe(requires("findings:export")),
  Rpc.make("IndicatorsCatalogue", { success: Catalogue, error: Forbidden }).pipe(requires("catalogue:read")),
  Rpc.make("RunsStart", {
    payload: closed(StartRunRequest),
    success: Run,
    error: Schema.Union([...Denied, InvalidInput, Conflict])
  }).pipe(requires("runs:start")),
  Rpc.make("RunsList", {
    payload: closed(Schema.Struct(RunListRequest)),
    success: RunPage,
    error: Schema.Union(Denied)
  }).pipe(requires("runs:read")),
  Rpc.make("RunsGet", {
    payload: closed(Schema.Struct(RunIdParams)),
    success: Run,
    error: Schema.Union([...Denied, NotFound])
  }).pipe(requires("runs:read")),
  Rpc.make("UsersList", {
    payload: closed(Schema.Struct(UserListRequest)),
    success: UserPage,
    error: Schema.Union(Denied)
  }).pipe(requires("users:manage")),
  Rpc.make("UsersCreate", {
    payload: closed(CreateUserInput),
    success: User,
    error: Schema.Union([...Denied, InvalidInput, Conflict])
  }).pipe(requires("users:manage")),
  Rpc.make("UsersGet", {
    payload: closed(Schema.Struct(UserIdParams)),
    success: User,
    error: Schema.Union([...Denied, NotFound])
  }).pipe(requires("users:manage")),
  Rpc.make("UsersUpdate", {
    payload: closed(Schema.Struct({ id: UserId, ...UpdateUserInput.fields })),
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  }).pipe(requires("users:manage")),
  Rpc.make("UsersDisable", {
    payload: closed(Schema.Struct(UserIdParams)),
    success: User,
    error: Schema.Union([...Denied, NotFound, Conflict])
  }).pipe(requires("users:manage"))
).middleware(RpcAuthentication) {}

export class AdalQarauRpcs extends PublicRpcs.merge(ProtectedRpcs) {}
