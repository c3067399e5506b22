import type { Contract } from "./Contract.ts"
import type { ContractId } from "./Ids.ts"

/** A contract and its amendments: every version sharing one root, in the order they took effect. */
export interface ContractChain {
  readonly rootId: ContractId
  /** The versions in chain order (see `compareChainOrder`); the root first when it is present. */
  readonly versions: ReadonlyArray<Contract>
}

const nullsLast = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b

/** Chain order: `sign_date`, then `crdate`, then `id`; a missing sign date sorts after every present one. */
export interface ChainOrdered {
  readonly id: number
  readonly signDate: number | null
  readonly crdate: number
}

export const compareChainOrder = (a: ChainOrdered, b: ChainOrdered): number =>
  nullsLast(a.signDate, b.signDate) || a.crdate - b.crdate || a.id - b.id

/** The chain key of a version: its root id when the record names one, else its own id. */
export const chainKeyOf = (c: Pick<Contract, "id" | "rootId">): ContractId => c.rootId ?? c.id

export const makeChain = (rootId: ContractId, versions: Iterable<Contract>): ContractChain => ({
  rootId,
  versions: [...versions].sort(compareChainOrder)
})
