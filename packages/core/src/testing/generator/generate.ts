import { Stream } from "effect"
import { contractFindingKey, pairFindingKey } from "../../indicators/Finding.ts"
import { buildChain, staleCopy } from "./builder.ts"
import type { ClusterContext, SlotContext } from "./cases/types.ts"
import { CHAIN_CASES, CLUSTER_CASES } from "./catalogue.ts"
import { type ChainSpec, renderChain, rootOf } from "./chain.ts"
import type { GenContext } from "./context.ts"
import { IdAllocator } from "./ids.ts"
import type { GeneratedItem } from "./items.ts"
import { CustomerSuppliers, SupplierPool } from "./market.ts"
import { type DatasetPlan, type GeneratorOptions, planDataset } from "./plan.ts"
import { Prng } from "./prng.ts"
import { referenceRecords, STATUS } from "./refs.ts"
import { LocalShuffle } from "./shuffle.ts"
import { drawRegionIndex, makeSubject, regionCodeAt, renderSubject, type SubjectSpec } from "./subjects.ts"

/** Records a chain may be spread over: a window this wide keeps memory fixed and still mixes neighbouring chains. */
const SHUFFLE_WINDOW = 256

/**
 * Generates a goszakup-shaped dataset with planted cases and their ground-truth labels, lazily: it holds only the
 * current customer's supplier counts and a small reorder window, so it can emit tens of millions of contracts in
 * fixed memory. Background customers come one after another; planted chains take evenly spaced places among
 * their contracts, and partnership clusters (with subjects of their own) are spread over the run. Reference-book
 * entries come first; everything else arrives in a locally shuffled order, as the engine must accept any order.
 * Throws RangeError on invalid options (see `planDataset`).
 */
export const generateDataset = (options: GeneratorOptions): Generator<GeneratedItem> =>
  // Planned here, at the call, rather than at the first item: bad options throw where they are given.
  itemsOf(options, planDataset(options))

function* itemsOf(options: GeneratorOptions, plan: DatasetPlan): Generator<GeneratedItem> {
  const prng = new Prng(options.seed)
  const ctx: GenContext = { prng, ids: new IdAllocator(prng), span: plan.span }
  const pool = new SupplierPool(plan.suppliers)
  const shuffle = new LocalShuffle<GeneratedItem>(SHUFFLE_WINDOW, prng)
  const out: Array<GeneratedItem> = []

  for (const raw of referenceRecords()) yield { kind: "ref", raw }

  const pushShuffled = (item: GeneratedItem): void => {
    const displaced = shuffle.push(item)
    if (displaced !== undefined) out.push(displaced)
  }
  const pushSubject = (subject: SubjectSpec): void => pushShuffled({ kind: "subject", raw: renderSubject(subject) })
  const pushChain = (chain: ChainSpec): void => {
    const records = renderChain(chain, prng)
    // Cases about stream order (stale rows first or last, amendments before the root) keep their arranged order.
    if (chain.order === "shuffled") for (const r of records) pushShuffled(r)
    else for (const r of records) out.push(r)
  }

  let plantedCustomers = 0
  let plantedSuppliers = 0
  const clusterCtx: ClusterContext = {
    ...ctx,
    newSubject: (role) =>
      makeSubject(
        prng,
        role,
        role === "planted-customer" ? plantedCustomers++ : plantedSuppliers++,
        regionCodeAt(drawRegionIndex(prng))
      )
  }
  const pushCluster = (index: number): void => {
    const template = CLUSTER_CASES[index % CLUSTER_CASES.length]
    if (template === undefined) return
    const cluster = template.build(clusterCtx)
    for (const s of cluster.subjects) pushSubject(s)
    for (const c of cluster.chains) pushChain(c)
    for (const shape of template.labels) {
      const key = pairFindingKey(shape.indicator, cluster.customer.bin, cluster.supplier.bin)
      out.push({ kind: "label", label: { ...shape, key, case: template.name } })
    }
  }

  const plantedSlots = plan.caseInstances * CHAIN_CASES.length
  const slots = plan.backgroundChains + plantedSlots
  const clusters = plan.caseInstances * CLUSTER_CASES.length
  let slot = 0
  let cluster = 0
  let suppliersOut = 0
  let customerIndex = 0
  while (slot < slots) {
    const regionIndex = drawRegionIndex(prng)
    const customer = makeSubject(prng, "customer", customerIndex++, regionCodeAt(regionIndex))
    pushSubject(customer)
    const suppliers = new CustomerSuppliers(pool, prng, regionIndex)
    const slotCtx: SlotContext = { ...ctx, customer: customer.ref, pickSupplier: () => suppliers.pick() }
    const end = Math.min(slots, slot + pool.drawCustomerSize(prng))
    for (; slot < end; slot++) {
      while (cluster < clusters && Math.floor((cluster * slots) / clusters) <= slot) pushCluster(cluster++)
      const plantedBefore = Math.floor((slot * plantedSlots) / slots)
      if (Math.floor(((slot + 1) * plantedSlots) / slots) > plantedBefore) {
        const template = CHAIN_CASES[plantedBefore % CHAIN_CASES.length]
        if (template !== undefined) {
          const chain = template.build(slotCtx)
          pushChain(chain)
          for (const shape of template.labels) {
            const key = contractFindingKey(shape.indicator, chain.rootId)
            out.push({ kind: "label", label: { ...shape, key, case: template.name } })
          }
        }
      } else {
        pushChain(backgroundChain(ctx, customer, suppliers))
      }
      // Supplier subjects trickle out with progress rather than all at once, as a paged export interleaves them.
      const due = Math.floor((pool.size * (slot + 1)) / slots)
      for (; suppliersOut < due; suppliersOut++) {
        pushSubject(makeSubject(prng, "supplier", suppliersOut, pool.regionOf(suppliersOut)))
      }
      if (out.length > 0) {
        yield* out
        out.length = 0
      }
    }
  }
  while (cluster < clusters) pushCluster(cluster++)
  for (; suppliersOut < pool.size && slots > 0; suppliersOut++) {
    pushSubject(makeSubject(prng, "supplier", suppliersOut, pool.regionOf(suppliersOut)))
  }
  yield* out
  yield* shuffle.drain()
}

/** A clean background chain; now and then its root row is exported twice, or an older copy of it lingers. */
const backgroundChain = (ctx: GenContext, customer: SubjectSpec, suppliers: CustomerSuppliers): ChainSpec => {
  const { prng } = ctx
  const supplier = prng.chance(0.004) ? null : suppliers.pick()
  const chain = buildChain(ctx, { customer: customer.ref, supplier })
  if (prng.chance(0.003)) chain.duplicateRoot = true
  if (prng.chance(0.003)) {
    chain.staleVersions.push(staleCopy(ctx, rootOf(chain), { statusId: STATUS.active, faktSumWnds: null }))
  }
  return chain
}

/**
 * `generateDataset` as an Effect stream (pulled lazily, in chunks). Invalid options are a caller's bug, not a
 * condition to recover from: the stream dies with the RangeError `planDataset` names, when it is first pulled.
 */
export const generateStream = (options: GeneratorOptions): Stream.Stream<GeneratedItem> =>
  Stream.fromIterable({ [Symbol.iterator]: () => generateDataset(options) })
