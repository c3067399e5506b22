import {
  Catalogue,
  ContractDetail,
  ContractPage,
  CreateUserInput,
  Finding,
  FindingCounts,
  FindingPage,
  Me,
  Run,
  RunPage,
  TokenPair,
  UpdateUserInput,
  User,
  UserPage
} from "@adalqarau/core"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema, OpenApi } from "effect/http-api"
import { addEdgeResponses } from "./edgeResponses.ts"
import {
  ContractIdPath,
  ContractSearchQuery,
  FindingFilterQuery,
  FindingQueryQuery,
  LoginRequest,
  RefreshRequest,
  RunIdPath,
  RunListQuery,
  StartRunRequest,
  UserIdParams,
  UserListQuery
} from "./inputs.ts"
import {
  ConflictProblem,
  ForbiddenProblem,
  InvalidInputProblem,
  NotFoundProblem,
  TooManyAttemptsProblem,
  UnauthenticatedProblem,
  UnavailableProblem
} from "./problems.ts"
import { HttpAuthentication, RequiredPermission } from "./security.ts"

/** The operations as REST endpoints under `/api/v1`, described by OpenAPI 3.1 at `/openapi.json`. Client-safe. */

const Denied = [ForbiddenProblem, UnavailableProblem] as const

const withoutForbidden = (operation: Record<string, unknown>): Record<string, unknown> => {
  const responses = operation.responses
  if (typeof responses !== "object" || responses === null) return operation
  const { "403": _forbidden, ...rest } = responses as Record<string, unknown>
  return { ...operation, responses: rest }
}

export class AuthGroup extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/auth/login", {
      payload: LoginRequest,
      success: TokenPair,
      error: [UnauthenticatedProblem, TooManyAttemptsProblem, UnavailableProblem]
    }).annotate(OpenApi.Description, "Checks a password and opens a session; rate-limited per username and address."),
    HttpApiEndpoint.post("refresh", "/auth/refresh", {
      payload: RefreshRequest,
      success: TokenPair,
      error: [UnauthenticatedProblem, UnavailableProblem]
    }).annotate(
      OpenApi.Description,
      "Exchanges a refresh token (single use) for a new pair; reuse of a used token revokes the whole session, " +
        "its access tokens included."
    ),
    HttpApiEndpoint.post("logout", "/auth/logout", {
      payload: RefreshRequest,
      success: HttpApiSchema.NoContent,
      error: UnavailableProblem
    }).annotate(
      OpenApi.Description,
      "Revokes the session the refresh token belongs to: its refresh tokens, and the access tokens issued to it " +
        "(those answer 401 from the next request on)."
    ),
    HttpApiEndpoint.get("me", "/auth/me", { success: Me, error: [NotFoundProblem, UnavailableProblem] })
      .middleware(HttpAuthentication)
      // The authentication middleware may answer 403 where an endpoint needs a permission; this one needs none.
      .annotate(OpenApi.Transform, withoutForbidden)
  )
  .annotateMerge(OpenApi.annotations({ title: "Authentication" })) {}

export class ContractsGroup extends HttpApiGroup.make("contracts")
  .add(
    HttpApiEndpoint.get("search", "/contracts", {
      query: ContractSearchQuery,
      success: ContractPage,
      error: [...Denied, InvalidInputProblem]
    }).annotate(
      OpenApi.Description,
      "Contracts by BIN, number and sign dates within your regions, keyset-paged by id."
    ),
    HttpApiEndpoint.get("get", "/contracts/:id", {
      params: ContractIdPath,
      success: ContractDetail,
      error: [...Denied, NotFoundProblem]
    }).annotate(OpenApi.Description, "One contract version with its chain and the field-level diff along it.")
  )
  .middleware(HttpAuthentication)
  .annotate(RequiredPermission, "contracts:read")
  .annotateMerge(OpenApi.annotations({ title: "Contracts" })) {}

export class FindingsGroup extends HttpApiGroup.make("findings")
  .add(
    HttpApiEndpoint.get("query", "/findings", {
      query: FindingQueryQuery,
      success: FindingPage,
      error: [...Denied, InvalidInputProblem]
    }).annotate(OpenApi.Description, "Findings in key order within your regions, keyset-paged (`afterKey`)."),
    HttpApiEndpoint.get("counts", "/findings/counts", {
      query: FindingFilterQuery,
      success: FindingCounts,
      error: [...Denied, InvalidInputProblem]
    }).annotate(OpenApi.Description, "Findings counted by indicator × customer region within your regions."),
    HttpApiEndpoint.get("export", "/findings/export", {
      query: FindingFilterQuery,
      success: HttpApiSchema.StreamNdjson({ schema: Finding }),
      error: [...Denied, InvalidInputProblem]
    })
      .annotate(OpenApi.Description, "Every matching finding within your regions as NDJSON, streamed.")
      .annotate(RequiredPermission, "findings:export")
  )
  .middleware(HttpAuthentication)
  .annotate(RequiredPermission, "findings:read")
  .annotateMerge(OpenApi.annotations({ title: "Findings" })) {}

export class IndicatorsGroup extends HttpApiGroup.make("indicators")
  .add(
    HttpApiEndpoint.get("catalogue", "/indicators", { success: Catalogue, error: ForbiddenProblem }).annotate(
      OpenApi.Description,
      "Indicator codes, titles, formulas, parameters with defaults, and the common filters."
    )
  )
  .middleware(HttpAuthentication)
  .annotate(RequiredPermission, "catalogue:read")
  .annotateMerge(OpenApi.annotations({ title: "Indicators" })) {}

export class RunsGroup extends HttpApiGroup.make("runs")
  .add(
    HttpApiEndpoint.post("start", "/runs", {
      payload: StartRunRequest,
      success: Run.pipe(HttpApiSchema.status(202)),
      error: [...Denied, InvalidInputProblem, ConflictProblem]
    })
      .annotate(
        OpenApi.Description,
        "Queues an indicator run with parameters; answers at once with the queued run. Parameters other than the defaults need runs:configure (403 naming the parameters otherwise)."
      )
      .annotate(RequiredPermission, "runs:start"),
    HttpApiEndpoint.get("list", "/runs", { query: RunListQuery, success: RunPage, error: [...Denied] }),
    HttpApiEndpoint.get("get", "/runs/:id", {
      params: RunIdPath,
      success: Run,
      error: [...Denied, NotFoundProblem]
    }).annotate(OpenApi.Description, "A run's status (queued, running, succeeded, failed) and, when done, its report.")
  )
  .middleware(HttpAuthentication)
  .annotate(RequiredPermission, "runs:read")
  .annotateMerge(OpenApi.annotations({ title: "Indicator runs" })) {}

export class UsersGroup extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("list", "/users", { query: UserListQuery, success: UserPage, error: [...Denied] }),
    HttpApiEndpoint.post("create", "/users", {
      payload: CreateUserInput,
      success: User.pipe(HttpApiSchema.status(201)),
      error: [...Denied, InvalidInputProblem, ConflictProblem]
    }),
    HttpApiEndpoint.get("get", "/users/:id", {
      params: UserIdParams,
      success: User,
      error: [...Denied, NotFoundProblem]
    }),
    HttpApiEndpoint.patch("update", "/users/:id", {
      params: UserIdParams,
      payload: UpdateUserInput,
      success: User,
      error: [...Denied, NotFoundProblem, ConflictProblem]
    }).annotate(OpenApi.Description, "Changes name, roles, regions, password or the disabled flag."),
    HttpApiEndpoint.post("disable", "/users/:id/disable", {
      params: UserIdParams,
      success: User,
      error: [...Denied, NotFoundProblem, ConflictProblem]
    }).annotate(OpenApi.Description, "Disables the account and revokes its sessions.")
  )
  .middleware(HttpAuthentication)
  .annotate(RequiredPermission, "users:manage")
  .annotateMerge(OpenApi.annotations({ title: "Users (admin)" })) {}

export const API_PREFIX = "/api/v1"

export class AdalQarauApi extends HttpApi.make("adalqarau")
  .add(AuthGroup)
  .add(ContractsGroup)
  .add(FindingsGroup)
  .add(IndicatorsGroup)
  .add(RunsGroup)
  .add(UsersGroup)
  .prefix(API_PREFIX)
  // Last, so that every endpoint above gets it: schema failures answer 400 problems naming the field and why.
  .middleware(HttpApiMiddleware.ProblemDetails)
  // A body key the endpoint does not declare is refused (400 naming it), as the OpenAPI document's
  // `additionalProperties: false` says: a misspelt "indicators" must not start a run on defaults. Query strings
  // stay open, as URLs conventionally are.
  .annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error" })
  .annotate(OpenApi.Transform, addEdgeResponses)
  .annotateMerge(
    OpenApi.annotations({
      title: "AdalQarau API",
      version: "1.0.0",
      description:
        "Procurement risk indicators for Kazakhstan's goszakup data. The same operations are served as effect/rpc " +
        "procedures at /rpc. Authenticate with POST /api/v1/auth/login and send the access token as a Bearer token."
    })
  ) {}
