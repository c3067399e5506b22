import type { ContractColumns, ContractColumnsView, ReadonlyColumn } from "./ContractColumns.ts"
import { ContractSlots } from "./groups.ts"

const MAX_PARENT_WALK = 10_000

/**
 * The chain a version belongs to: its `root_id` when given; otherwise the top of its `parent_id` line (a version
 * with neither is its own root). A parent missing from the data ends the walk at that parent's id.
 */
export const chainKeyAt = (c: ContractColumnsView, i: number): number => {
  const rootId = c.rootId[i] as number
  if (!Number.isNaN(rootId)) return rootId
  let current = i
  for (let steps = 0; steps < MAX_PARENT_WALK; steps++) {
    const parentId = c.parentId[current] as number
    if (Number.isNaN(parentId)) return c.id[current] as number
    const parent = c.index.get(parentId)
    if (parent < 0) return parentId
    const parentRoot = c.rootId[parent] as number
    if (!Number.isNaN(parentRoot)) return parentRoot
    current = parent
  }
  return c.id[current] as number
}

/**
 * Chain order among the amendments: `sign_date`, then `crdate`, then `id`; a missing sign date sorts after every
 * present one. The root goes before them all (`groupChains`), as in `makeChain`.
 */
export const compareVersionsAt = (c: ContractColumns, a: number, b: number): number => {
  const sa = c.signDate[a] as number
  const sb = c.signDate[b] as number
  if (sa !== sb) {
    if (Number.isNaN(sa)) {
      if (!Number.isNaN(sb)) return 1
    } else if (Number.isNaN(sb)) return -1
    else return sa - sb
  }
  return (c.crdate[a] as number) - (c.crdate[b] as number) || (c.id[a] as number) - (c.id[b] as number)
}

/**
 * Chains in compressed-row form: chain `k` has the key `keys[k]`, its root version `root[k]` (-1 when the root is
 * missing), members `members[memberStart[k] .. memberStart[k+1])` in first-seen order, and its non-deleted
 * versions in chain order (the root first) at `versions[versionStart[k] .. versionStart[k+1])`. Chains come in the order their
 * first version was seen.
 */
export interface ChainTable {
  readonly count: number
  readonly keys: ReadonlyColumn
  readonly root: ReadonlyColumn
  readonly memberStart: ReadonlyColumn
  readonly members: ReadonlyColumn
  readonly versionStart: ReadonlyColumn
  readonly versions: ReadonlyColumn
}

const INSERTION_SORT_LIMIT = 48

const sortSegment = (c: ContractColumns, list: Int32Array, from: number, to: number): void => {
  if (to - from > INSERTION_SORT_LIMIT) {
    // Array.prototype.sort is stable, as the insertion sort below is: equal versions keep their first-seen order.
    const sorted = Array.from(list.subarray(from, to)).sort((a, b) => compareVersionsAt(c, a, b))
    list.set(sorted, from)
    return
  }
  for (let i = from + 1; i < to; i++) {
    const v = list[i] as number
    let j = i - 1
    while (j >= from && compareVersionsAt(c, list[j] as number, v) > 0) {
      list[j + 1] = list[j] as number
      j--
    }
    list[j + 1] = v
  }
}

/** Moves `version` to the start of `list[from, to)`, keeping the others' order; absent (deleted), nothing moves. */
const moveToFront = (list: Int32Array, from: number, to: number, version: number): void => {
  const at = list.subarray(from, to).indexOf(version)
  if (at <= 0) return
  list.copyWithin(from + 1, from, from + at)
  list[from] = version
}

export const groupChains = (c: ContractColumns): ChainTable => {
  const n = c.count
  // Chain keys are mostly ids of stored contracts: their version index serves as the key's slot, so grouping needs
  // no hash table of its own; chains are then numbered in the order their first version was seen.
  const slots = new ContractSlots(c.index)
  const slotOf = new Int32Array(n)
  const keyOf = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const key = chainKeyAt(c, i)
    keyOf[i] = key
    slotOf[i] = slots.slotOrAdd(key)
  }
  const chainOfSlot = new Int32Array(slots.count).fill(-1)
  const chainOf = new Int32Array(n)
  const firstOf = new Int32Array(n)
  let count = 0
  for (let i = 0; i < n; i++) {
    const slot = slotOf[i] as number
    let k = chainOfSlot[slot] as number
    if (k < 0) {
      k = count++
      chainOfSlot[slot] = k
      firstOf[k] = i
    }
    chainOf[i] = k
  }

  const memberStart = new Int32Array(count + 1)
  const versionStart = new Int32Array(count + 1)
  for (let i = 0; i < n; i++) {
    const k = chainOf[i] as number
    memberStart[k + 1]++
    if (c.deleted[i] === 0) versionStart[k + 1]++
  }
  for (let k = 0; k < count; k++) {
    memberStart[k + 1] += memberStart[k] as number
    versionStart[k + 1] += versionStart[k] as number
  }
  const members = new Int32Array(n)
  const versions = new Int32Array(versionStart[count] as number)
  const memberFill = memberStart.slice(0, count)
  const versionFill = versionStart.slice(0, count)
  for (let i = 0; i < n; i++) {
    const k = chainOf[i] as number
    members[memberFill[k]++] = i
    if (c.deleted[i] === 0) versions[versionFill[k]++] = i
  }

  const keys = new Float64Array(count)
  const root = new Int32Array(count)
  for (let k = 0; k < count; k++) {
    const first = firstOf[k] as number
    keys[k] = keyOf[first] as number
    const stored = slotOf[first] as number
    root[k] = stored < n && c.isRootAt(stored) ? stored : -1
    const from = versionStart[k] as number
    const to = versionStart[k + 1] as number
    if (to - from > 1) {
      sortSegment(c, versions, from, to)
      if ((root[k] as number) >= 0) moveToFront(versions, from, to, root[k] as number)
    }
  }
  return { count, keys, root, memberStart, members, versionStart, versions }
}
