import { type Contract, isRootContract } from "./Contract.ts"
import type { ContractId } from "./Ids.ts"

/** A contract and its amendments: every version sharing one root, in the order they took effect. */
export interface ContractChain {
  readonly rootId: ContractId
  /** The versions in chain order (see `compareChainOrder`); the root first when it is present. */
  readonly versions: ReadonlyArray<Contract>
}

const nullsLast = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b

/**
 * Chain order among the amendments: `sign_date`, then `crdate`, then `id`; a missing sign date sorts after every
 * present one. The root comes before them all (`makeChain`), signed or not: it is the original by definition, and
 * a root with no sign date sorted last would read as the newest version.
 */
export interface ChainOrdered {
  readonly id: number
  readonly signDate: number | null
  readonly crdate: number
}

export const compareChainOrder = (a: ChainOrdered, b: ChainOrdered): number =>
  nullsLast(a.signDate, b.signDate) || a.crdate - b.crdate || a.id - b.id

/** The chain key of a version: its root id when the record names one, else its own id. */
export const chainKeyOf = (c: Pick<Contract, "id" | "rootId">): ContractId => c.rootId ?? c.id

export const makeChain = (rootId: ContractId, versions: Iterable<Contract>): ContractChain => {
  const isRoot = (c: Contract) => c.id === rootId && isRootContract(c)
  return {
    rootId,
    versions: [...versions].sort((a, b) => Number(isRoot(b)) - Number(isRoot(a)) || compareChainOrder(a, b))
  }
}
