import {
  can,
  effectiveFindingRegions,
  effectiveRegions,
  type Principal,
  regionScopeOf,
  ROLE_PERMISSIONS,
  type UserId,
  type Username
} from "@adalqarau/core"
import { assert, describe, it } from "@effect/vitest"

const principal = (roles: Principal["roles"], regions: Principal["regions"] = ["71"]): Principal => ({
  userId: "u" as UserId,
  username: "someone" as Username,
  roles,
  regions
})

describe("role permissions", () => {
  it("match the documented table", () => {
    assert.deepStrictEqual(ROLE_PERMISSIONS, {
      viewer: ["catalogue:read", "contracts:read", "findings:read"],
      analyst: ["catalogue:read", "contracts:read", "findings:read", "findings:export", "runs:read", "runs:start"],
      admin: [
        "catalogue:read",
        "contracts:read",
        "findings:read",
        "findings:export",
        "runs:read",
        "runs:start",
        "runs:configure",
        "users:manage"
      ]
    })
  })

  it("combine across several roles", () => {
    const both = principal(["viewer", "analyst"])
    assert.isTrue(can(both, "runs:start"))
    assert.isFalse(can(both, "users:manage"))
    assert.isFalse(can(principal([]), "catalogue:read"))
  })
})

describe("regional scope", () => {
  it("is every region for admins and the user's regions for everyone else", () => {
    assert.deepStrictEqual(regionScopeOf(principal(["admin"], ["71"])), { _tag: "AllRegions" })
    assert.deepStrictEqual(regionScopeOf(principal(["analyst"], ["71", "75"])), {
      _tag: "Regions",
      regions: ["71", "75"]
    })
  })

  it("is requested ∩ allowed, never wider than allowed", () => {
    const restricted = regionScopeOf(principal(["viewer"], ["71", "75"]))
    assert.deepStrictEqual(effectiveRegions(restricted, undefined), ["71", "75"])
    assert.deepStrictEqual(effectiveRegions(restricted, ["75", "79"]), ["75"])
    assert.deepStrictEqual(effectiveRegions(restricted, ["79"]), [])
    const all = regionScopeOf(principal(["admin"]))
    assert.strictEqual(effectiveRegions(all, undefined), undefined)
    assert.deepStrictEqual(effectiveRegions(all, ["79"]), ["79"])
  })

  it("keeps findings of unknown region from restricted users", () => {
    const restricted = regionScopeOf(principal(["analyst"], ["71"]))
    assert.deepStrictEqual(effectiveFindingRegions(restricted, [null, "71"]), ["71"])
    assert.deepStrictEqual(effectiveFindingRegions(regionScopeOf(principal(["admin"])), [null]), [null])
  })

  it("gives a user without regions nothing rather than everything", () => {
    const none = regionScopeOf(principal(["viewer"], []))
    assert.deepStrictEqual(effectiveRegions(none, undefined), [])
    assert.deepStrictEqual(effectiveFindingRegions(none, undefined), [])
  })
})
