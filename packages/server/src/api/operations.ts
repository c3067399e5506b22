import type { Permission } from "@adalqarau/core"

/**
 * Every operation once: its RPC procedure, its REST route, who may call it and whether its rows are limited to the
 * caller's regions. The authorisation matrix test is generated from this table and checks that it covers every
 * RPC of `AdalQarauRpcs` and every endpoint of `AdalQarauApi`, so no operation escapes it.
 */
export interface Operation {
  readonly rpc: string
  readonly rest: { readonly method: "GET" | "POST" | "PATCH"; readonly path: string }
  /** `public`: no token; `authenticated`: any valid token; else the permission required. */
  readonly access: "public" | "authenticated" | Permission
  /** Whether results are rows limited to the caller's regions. */
  readonly regional: boolean
}

export const OPERATIONS: ReadonlyArray<Operation> = [
  { rpc: "Login", rest: { method: "POST", path: "/api/v1/auth/login" }, access: "public", regional: false },
  { rpc: "Refresh", rest: { method: "POST", path: "/api/v1/auth/refresh" }, access: "public", regional: false },
  { rpc: "Logout", rest: { method: "POST", path: "/api/v1/auth/logout" }, access: "public", regional: false },
  { rpc: "Me", rest: { method: "GET", path: "/api/v1/auth/me" }, access: "authenticated", regional: false },
  {
    rpc: "ContractsSearch",
    rest: { method: "GET", path: "/api/v1/contracts" },
    access: "contracts:read",
    regional: true
  },
  {
    rpc: "ContractsGet",
    rest: { method: "GET", path: "/api/v1/contracts/:id" },
    access: "contracts:read",
    regional: true
  },
  { rpc: "FindingsQuery", rest: { method: "GET", path: "/api/v1/findings" }, access: "findings:read", regional: true },
  {
    rpc: "FindingsCounts",
    rest: { method: "GET", path: "/api/v1/findings/counts" },
    access: "findings:read",
    regional: true
  },
  {
    rpc: "FindingsExport",
    rest: { method: "GET", path: "/api/v1/findings/export" },
    access: "findings:export",
    regional: true
  },
  {
    rpc: "IndicatorsCatalogue",
    rest: { method: "GET", path: "/api/v1/indicators" },
    access: "catalogue:read",
    regional: false
  },
  { rpc: "RunsStart", rest: { method: "POST", path: "/api/v1/runs" }, access: "runs:start", regional: false },
  { rpc: "RunsList", rest: { method: "GET", path: "/api/v1/runs" }, access: "runs:read", regional: false },
  { rpc: "RunsGet", rest: { method: "GET", path: "/api/v1/runs/:id" }, access: "runs:read", regional: false },
  { rpc: "UsersList", rest: { method: "GET", path: "/api/v1/users" }, access: "users:manage", regional: false },
  { rpc: "UsersCreate", rest: { method: "POST", path: "/api/v1/users" }, access: "users:manage", regional: false },
  { rpc: "UsersGet", rest: { method: "GET", path: "/api/v1/users/:id" }, access: "users:manage", regional: false },
  { rpc: "UsersUpdate", rest: { method: "PATCH", path: "/api/v1/users/:id" }, access: "users:manage", regional: false },
  {
    rpc: "UsersDisable",
    rest: { method: "POST", path: "/api/v1/users/:id/disable" },
    access: "users:manage",
    regional: false
  }
]
