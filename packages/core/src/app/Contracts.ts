import { Effect, Option, Schema } from "effect"
import type { Bin } from "../domain/Bin.ts"
import { Contract } from "../domain/Contract.ts"
import { ContractId, type Instant } from "../domain/Ids.ts"
import type { RegionCode } from "../domain/Region.ts"
import { ChainDiff, diffChain } from "../diff/ContractDiff.ts"
import { type ContractQuery, ContractStore } from "../ports/ContractStore.ts"
import { InvalidInput, NotFound, storeUnavailable } from "./Errors.ts"
import { effectiveRegions, type Principal, regionScopeOf, requirePermission } from "./Policy.ts"

/** One contract version with its whole chain (root and amendments, in chain order) and what changed along it. */
export const ContractDetail = Schema.Struct({
  contract: Contract,
  chain: Schema.Array(Contract),
  diff: ChainDiff
})
export type ContractDetail = typeof ContractDetail.Type

export const ContractPage = Schema.Struct({
  contracts: Schema.Array(Contract),
  /** Pass as `afterId` for the next page; null on the last page. */
  nextAfterId: Schema.NullOr(ContractId)
})
export type ContractPage = typeof ContractPage.Type

export interface ContractSearch {
  readonly customerBin?: Bin | undefined
  readonly supplierBin?: Bin | undefined
  readonly number?: string | undefined
  readonly signedFrom?: Instant | undefined
  readonly signedTo?: Instant | undefined
  /** Narrows the caller's regions; it never widens them. */
  readonly regions?: ReadonlyArray<RegionCode> | undefined
  readonly afterId?: ContractId | undefined
  /** At most 500. */
  readonly limit: number
}

export const MAX_CONTRACT_PAGE = 500

/** Contracts by BIN, number and sign dates within the caller's regions, keyset-paged by id. */
export const searchContracts = Effect.fn("Contracts.search")(function* (principal: Principal, search: ContractSearch) {
  yield* requirePermission(principal, "contracts:read")
  if (search.signedFrom !== undefined && search.signedTo !== undefined && search.signedTo < search.signedFrom) {
    // Wrong rather than narrow: an empty page would read as "no such contracts".
    return yield* new InvalidInput({
      field: "signedTo",
      message: "signedTo is before signedFrom: the range holds nothing"
    })
  }
  const regions = effectiveRegions(regionScopeOf(principal), search.regions)
  const limit = Math.min(search.limit, MAX_CONTRACT_PAGE)
  const query: ContractQuery = {
    customerBin: search.customerBin,
    supplierBin: search.supplierBin,
    number: search.number,
    signedFrom: search.signedFrom,
    signedTo: search.signedTo,
    afterId: search.afterId,
    ...(regions === undefined ? {} : { regions }),
    // One more than asked tells whether another page exists without a count query.
    limit: limit + 1
  }
  const found = yield* (yield* ContractStore).search(query)
  const contracts = found.slice(0, limit)
  const page: ContractPage = {
    contracts,
    nextAfterId: found.length > limit ? (contracts[contracts.length - 1]?.id ?? null) : null
  }
  return page
}, storeUnavailable)

/** One version with its chain and diff; out-of-region contracts are not found, exactly like absent ones. */
export const getContract = Effect.fn("Contracts.get")(function* (principal: Principal, id: ContractId) {
  yield* requirePermission(principal, "contracts:read")
  const regions = effectiveRegions(regionScopeOf(principal), undefined)
  const chain = yield* (yield* ContractStore).getChain(id, regions)
  const contract = Option.flatMap(chain, (c) => Option.fromNullishOr(c.versions.find((v) => v.id === id)))
  if (Option.isNone(chain) || Option.isNone(contract)) {
    return yield* new NotFound({ resource: "contract", id: String(id) })
  }
  const detail: ContractDetail = { contract: contract.value, chain: chain.value.versions, diff: diffChain(chain.value) }
  return detail
}, storeUnavailable)
