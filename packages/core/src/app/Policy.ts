import { Context, Effect, Schema } from "effect"
import type { RegionCode } from "../domain/Region.ts"
import type { Role, UserId, Username } from "../ports/UserStore.ts"
import { Forbidden } from "./Errors.ts"

/**
 * Who may do what. One table, read by both transports through the use cases, so RPC and REST cannot disagree.
 *
 * | permission        | viewer | analyst | admin |
 * |-------------------|--------|---------|-------|
 * | catalogue:read    | ✓      | ✓       | ✓     |
 * | contracts:read    | ✓      | ✓       | ✓     |
 * | findings:read     | ✓      | ✓       | ✓     |
 * | findings:export   |        | ✓       | ✓     |
 * | runs:read         |        | ✓       | ✓     |
 * | runs:start        |        | ✓       | ✓     |
 * | runs:configure    |        |         | ✓     |
 * | users:manage      |        |         | ✓     |
 *
 * Every role but admin is restricted to its regions; admin sees all regions. A run replaces the findings of every
 * region, so `runs:start` covers the default parameters only (the published method, which restores what a custom
 * run changed); parameters other than the defaults need `runs:configure`.
 */
export const Permission = Schema.Literals([
  "catalogue:read",
  "contracts:read",
  "findings:read",
  "findings:export",
  "runs:read",
  "runs:start",
  "runs:configure",
  "users:manage"
])
export type Permission = typeof Permission.Type

const VIEWER: ReadonlyArray<Permission> = ["catalogue:read", "contracts:read", "findings:read"]
const ANALYST: ReadonlyArray<Permission> = [...VIEWER, "findings:export", "runs:read", "runs:start"]
const ADMIN: ReadonlyArray<Permission> = [...ANALYST, "runs:configure", "users:manage"]

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlyArray<Permission>>> = {
  viewer: VIEWER,
  analyst: ANALYST,
  admin: ADMIN
}

/** The authenticated caller, as loaded from the UserStore for this request (roles and regions are current). */
export interface Principal {
  readonly userId: UserId
  readonly username: Username
  readonly roles: ReadonlyArray<Role>
  readonly regions: ReadonlyArray<RegionCode>
}

/** The principal of the current request, provided by the transport's authentication middleware. */
export class CurrentPrincipal extends Context.Service<CurrentPrincipal, Principal>()(
  "@adalqarau/core/app/CurrentPrincipal"
) {}

export const can = (principal: Principal, permission: Permission): boolean =>
  principal.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission))

export const isAdmin = (principal: Principal): boolean => principal.roles.includes("admin")

export const requirePermission = (principal: Principal, permission: Permission): Effect.Effect<void, Forbidden> =>
  can(principal, permission)
    ? Effect.void
    : Effect.fail(new Forbidden({ message: `your roles do not grant ${permission}`, permission }))

/** Which customer regions a principal may see. */
export type RegionScope =
  | { readonly _tag: "AllRegions" }
  | { readonly _tag: "Regions"; readonly regions: ReadonlyArray<RegionCode> }

export const regionScopeOf = (principal: Principal): RegionScope =>
  isAdmin(principal) ? { _tag: "AllRegions" } : { _tag: "Regions", regions: principal.regions }

/**
 * The regions a query runs with: requested ∩ allowed. `undefined` means "no restriction" and only ever comes out
 * for an unrestricted scope without a request. The result goes into the store query, so out-of-scope rows are
 * never read — nothing is filtered afterwards.
 */
export const effectiveRegions = (
  scope: RegionScope,
  requested: ReadonlyArray<RegionCode> | undefined
): ReadonlyArray<RegionCode> | undefined => {
  if (scope._tag === "AllRegions") return requested
  if (requested === undefined) return scope.regions
  return requested.filter((region) => scope.regions.includes(region))
}

/**
 * As `effectiveRegions` for findings, whose region may be unknown (`null`, a customer without a KATO code). Only
 * an unrestricted scope sees findings of unknown region: a restricted user's regions cannot include them.
 */
export const effectiveFindingRegions = (
  scope: RegionScope,
  requested: ReadonlyArray<RegionCode | null> | undefined
): ReadonlyArray<RegionCode | null> | undefined => {
  if (scope._tag === "AllRegions") return requested
  if (requested === undefined) return scope.regions
  return requested.filter((region): region is RegionCode => region !== null && scope.regions.includes(region))
}
