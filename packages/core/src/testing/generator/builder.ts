import { dayOfWall, SECONDS_PER_DAY, wallOf } from "./calendar.ts"
import type { ChainSpec, LotSpec, PaymentSpec, UnitSpec, VersionSpec } from "./chain.ts"
import type { GenContext } from "./context.ts"
import { WeightedTable } from "./prng.ts"
import { CONTRACT_TYPE, STATUS, SUBJECT_TYPE, YEAR_TYPE } from "./refs.ts"
import type { SubjectRef } from "./subjects.ts"

/**
 * Builds contract chains that are clean by construction: whatever is not specified is drawn so that no indicator
 * can fire with default parameters — reduction 2.5–24 %, none, or negative, or plan unknown; first payment at
 * least 5 calendar days after the root's creation day; the last version's sum within ±15 % of the root's and no
 * actual-sum growth (the root's actual sum is null or zero when there are amendments). Planted cases specify the
 * one thing they are about and keep the rest clean.
 */
export interface AmendmentPlan {
  readonly sum: number
  readonly fakt?: number | null
  readonly deleted?: boolean
  /** Days from the previous version's signing to this amendment's creation (default 7–120). */
  readonly daysAfter?: number
  /** Leave `sign_date` empty. */
  readonly unsigned?: boolean
}

export interface PaymentPlan {
  /** The version the payment is booked on: 0 the root, 1 the first amendment, and so on. */
  readonly version?: number
  /** Calendar days after the root's creation day. */
  readonly day: number
  /** Second of the day; null writes a bare date (midnight). Default: drawn. */
  readonly second?: number | null
}

export interface ChainPlan {
  readonly customer: SubjectRef | null
  readonly supplier: SubjectRef | null
  readonly statusId?: number
  readonly typeId?: number
  readonly yearTypeId?: number
  readonly deleted?: boolean
  /**
   * Lot amounts giving P; "none": no lot behind the contract; "missing-lot": a unit names a lot not in the data.
   * Default: drawn, fitted to `contractSum` when that is given so the reduction stays in the clean band.
   */
  readonly plan?: ReadonlyArray<number> | "none" | "missing-lot"
  readonly contractSum?: number
  readonly crdateSecond?: number
  /** Units per lot (default 1, sometimes 2): P counts each lot once, however many units reference it. */
  readonly unitsPerLot?: number
  /** Seconds from creation to signing (default up to 3 days). */
  readonly signDelay?: number
  readonly rootFakt?: number | null
  readonly amendments?: ReadonlyArray<AmendmentPlan>
  readonly payments?: ReadonlyArray<PaymentPlan>
  /** Amendments name only their parent, not the root: the chain must be found by walking `parent_id`. */
  readonly amendmentsWithoutRootId?: boolean
}

const DESCRIPTIONS: Readonly<Record<number, ReadonlyArray<readonly [string, string]>>> = {
  [SUBJECT_TYPE.goods]: [
    ["Приобретение канцелярских товаров", "Кеңсе тауарларын сатып алу"],
    ["Поставка продуктов питания", "Азық-түлік өнімдерін жеткізу"],
    ["Приобретение компьютерной техники", "Компьютерлік техниканы сатып алу"],
    ["Поставка горюче-смазочных материалов", "Жанар-жағар май материалдарын жеткізу"],
    ["Приобретение лекарственных средств", "Дәрілік заттарды сатып алу"]
  ],
  [SUBJECT_TYPE.works]: [
    ["Текущий ремонт здания", "Ғимаратты ағымдағы жөндеу"],
    ["Капитальный ремонт кровли", "Шатырды күрделі жөндеу"],
    ["Средний ремонт автомобильной дороги", "Автомобиль жолын орташа жөндеу"]
  ],
  [SUBJECT_TYPE.services]: [
    ["Услуги по охране объекта", "Объектіні күзету қызметтері"],
    ["Услуги связи и доступа к интернету", "Байланыс және интернетке қол жеткізу қызметтері"],
    ["Услуги по уборке помещений", "Үй-жайларды жинау қызметтері"],
    ["Услуги по организации питания", "Тамақтандыруды ұйымдастыру қызметтері"]
  ]
}

const REDUCTION_MODE = new WeightedTable<"band" | "equal" | "above">([
  ["band", 62],
  ["equal", 30],
  ["above", 8]
])
const AMENDMENT_COUNT = new WeightedTable([
  [0, 76],
  [1, 14],
  [2, 6],
  [3, 3],
  [5, 1]
])
const AMENDED_STATUS = new WeightedTable<number>([
  [STATUS.amended, 60],
  [STATUS.executed, 25],
  [STATUS.active, 15]
])
const SINGLE_STATUS = new WeightedTable<number>([
  [STATUS.active, 28],
  [STATUS.executed, 46],
  [STATUS.partlyExecuted, 5],
  [STATUS.terminatedByAgreement, 3],
  [STATUS.terminatedUnilaterally, 3],
  [STATUS.notConcluded, 3],
  [STATUS.draft, 2]
])
const SUBJECT_TYPES = new WeightedTable<number>([
  [SUBJECT_TYPE.goods, 50],
  [SUBJECT_TYPE.works, 20],
  [SUBJECT_TYPE.services, 30]
])
const PLAN_MODE = new WeightedTable<"known" | "none" | "missing-lot">([
  ["known", 85],
  ["none", 11],
  ["missing-lot", 4]
])
const LOT_COUNT = new WeightedTable([
  [1, 70],
  [2, 20],
  [3, 10]
])
const YEAR_TYPES = new WeightedTable<number>([
  [YEAR_TYPE.oneYear, 88],
  [YEAR_TYPE.multiYear, 12]
])
const CONTRACT_TYPES = new WeightedTable<number>([
  [CONTRACT_TYPE.main, 98],
  [CONTRACT_TYPE.framework, 2]
])

/** Mostly office hours, sometimes any time of day (night entries test the calendar-day arithmetic). */
export const drawSecondOfDay = (ctx: GenContext): number =>
  ctx.prng.chance(0.12) ? ctx.prng.int(0, SECONDS_PER_DAY - 1) : ctx.prng.int(9 * 3600, 19 * 3600)

/** A lot amount in tiyn: log-uniform from 5 thousand to 200 million tenge. */
export const drawAmount = (ctx: GenContext): number => ctx.prng.logUniformInt(500_000, 20_000_000_000)

/** C for a known P, outside both dumping bands: 2.5–24 % below P (most), equal to it, or a little above. */
const drawCleanContractSum = (ctx: GenContext, plan: number): number => {
  const mode = REDUCTION_MODE.draw(ctx.prng)
  if (mode === "equal") return plan
  if (mode === "above") return plan + Math.round((plan * ctx.prng.int(1, 500)) / 10_000)
  const sum = plan - Math.round((plan * ctx.prng.int(250, 2400)) / 10_000)
  // Rounding to the tiyn must not carry the reduction out of (2 %, 25 %): that would break the ground truth.
  const cut = (plan - sum) * 100
  if (cut <= 2 * plan || cut >= 25 * plan) throw new Error(`clean reduction left its band: P=${plan} C=${sum}`)
  return sum
}

/** P for a given C: 3–20 % above it, so the reduction lands at 2.9–16.7 %, inside the clean band. */
const drawCleanPlanSum = (ctx: GenContext, contractSum: number): number => {
  const plan = contractSum + Math.round((contractSum * ctx.prng.int(300, 2000)) / 10_000)
  const cut = (plan - contractSum) * 100
  if (contractSum > 0 && (cut <= 2 * plan || cut >= 25 * plan)) {
    throw new Error(`clean plan left its band: P=${plan} C=${contractSum}`)
  }
  return plan
}

const drawAmendments = (ctx: GenContext, first: number): Array<AmendmentPlan> => {
  const count = AMENDMENT_COUNT.draw(ctx.prng)
  const out: Array<AmendmentPlan> = []
  for (let i = 0; i < count; i++) {
    const sum = first + Math.round((first * ctx.prng.int(-1500, 1500)) / 10_000)
    const isLast = i === count - 1
    out.push({
      sum,
      fakt: isLast && ctx.prng.chance(0.5) ? sum - Math.round(sum * ctx.prng.next() * 0.1) : null,
      deleted: ctx.prng.chance(0.03)
    })
  }
  return out
}

const drawRootStatus = (ctx: GenContext, amended: boolean): number =>
  (amended ? AMENDED_STATUS : SINGLE_STATUS).draw(ctx.prng)

const drawPayments = (ctx: GenContext, amendments: number): Array<PaymentPlan> => {
  if (!ctx.prng.chance(0.72)) return []
  const count = ctx.prng.int(1, 3)
  const out: Array<PaymentPlan> = []
  for (let i = 0; i < count; i++) {
    // The earliest allowed day, 5, is drawn on purpose now and then: it is the clean side of the boundary.
    const day = 5 + (ctx.prng.chance(0.08) ? 0 : ctx.prng.int(0, i === 0 ? 60 : 240))
    out.push({
      version: amendments > 0 && ctx.prng.chance(0.3) ? ctx.prng.int(1, amendments) : 0,
      day,
      second: ctx.prng.chance(0.2) ? null : drawSecondOfDay(ctx)
    })
  }
  return out
}

export const buildChain = (ctx: GenContext, p: ChainPlan): ChainSpec => {
  const { prng, ids, span } = ctx
  const rootId = ids.contractId()
  const trdBuyId = ids.trdBuyId()
  const rootDay = span.firstDay + prng.int(0, span.days - 1)
  const crdate = wallOf(rootDay, p.crdateSecond ?? drawSecondOfDay(ctx))
  const subjectTypeId = SUBJECT_TYPES.draw(prng)
  const description = prng.pick(DESCRIPTIONS[subjectTypeId] ?? [])

  const lots: Array<LotSpec> = []
  const units: Array<UnitSpec> = []
  let planKind = p.plan
  if (planKind === undefined) {
    const mode = PLAN_MODE.draw(prng)
    if (mode !== "known") planKind = mode
    else if (p.contractSum === undefined) planKind = Array.from({ length: LOT_COUNT.draw(prng) }, () => drawAmount(ctx))
    else planKind = [drawCleanPlanSum(ctx, p.contractSum)]
  }
  const planSum = typeof planKind === "string" ? undefined : planKind.reduce((a, b) => a + b, 0)
  const contractSum = p.contractSum ?? (planSum === undefined ? drawAmount(ctx) : drawCleanContractSum(ctx, planSum))

  const lotUpdate = crdate - prng.int(3, 60) * SECONDS_PER_DAY
  if (typeof planKind === "string") {
    if (planKind === "missing-lot") {
      units.push({
        id: ids.unitId(),
        contractId: rootId,
        lotId: ids.lotId(),
        plnPointId: ids.plnPointId(),
        totalSum: contractSum
      })
    } else if (prng.chance(0.5)) {
      units.push({
        id: ids.unitId(),
        contractId: rootId,
        lotId: null,
        plnPointId: ids.plnPointId(),
        totalSum: contractSum
      })
    }
  } else {
    let left = contractSum
    planKind.forEach((amount, i) => {
      const lotId = ids.lotId()
      lots.push({ id: lotId, trdBuyId, amount, customerBin: p.customer?.bin ?? null, lastUpdate: lotUpdate })
      const share =
        i === planKind.length - 1 ? left : Math.min(left, Math.round((contractSum * amount) / (planSum ?? 1)))
      left -= share
      const count = p.unitsPerLot ?? (prng.chance(0.2) ? 2 : 1)
      let unitLeft = share
      for (let u = 0; u < count; u++) {
        const totalSum = u === count - 1 ? unitLeft : Math.floor(share / count)
        unitLeft -= totalSum
        units.push({ id: ids.unitId(), contractId: rootId, lotId, plnPointId: ids.plnPointId(), totalSum })
      }
    })
  }

  const amendmentPlans = p.amendments ?? drawAmendments(ctx, contractSum)
  const amended = amendmentPlans.length > 0
  const statusId = p.statusId ?? drawRootStatus(ctx, amended)
  const yearTypeId = p.yearTypeId ?? YEAR_TYPES.draw(prng)
  const signDelay = p.signDelay ?? prng.int(0, 3 * SECONDS_PER_DAY)
  const root: VersionSpec = {
    id: rootId,
    parentId: null,
    rootIdField: prng.chance(0.5) ? null : rootId,
    typeId: p.typeId ?? CONTRACT_TYPES.draw(prng),
    statusId,
    yearTypeId,
    deleted: p.deleted ?? prng.chance(0.01),
    crdate,
    // An unsigned root would sort after its amendments; only single-version chains may lack a sign date.
    signDate: !amended && prng.chance(0.03) ? null : crdate + signDelay,
    lastUpdate: crdate,
    sumWnds: contractSum,
    faktSumWnds:
      p.rootFakt !== undefined
        ? p.rootFakt
        : amended
          ? prng.pick([null, 0])
          : statusId === STATUS.executed
            ? contractSum
            : null,
    customer: p.customer,
    supplier: p.supplier,
    subjectTypeId,
    trdBuyId,
    description
  }
  const versions: Array<VersionSpec> = [root]
  let previous = root
  for (const a of amendmentPlans) {
    const created =
      (previous.signDate ?? previous.crdate) + (a.daysAfter ?? prng.int(7, 120)) * SECONDS_PER_DAY + prng.int(60, 3600)
    const v: VersionSpec = {
      ...root,
      id: ids.contractId(),
      parentId: previous.id,
      rootIdField: p.amendmentsWithoutRootId === true ? null : rootId,
      typeId: CONTRACT_TYPE.amendment,
      statusId: prng.pick([STATUS.active, STATUS.executed]),
      deleted: a.deleted ?? false,
      crdate: created,
      signDate: a.unsigned === true ? null : created + prng.int(60, 3600),
      lastUpdate: created + prng.int(0, 60) * SECONDS_PER_DAY + prng.int(0, 3600),
      sumWnds: a.sum,
      faktSumWnds: a.fakt ?? null
    }
    versions.push(v)
    if (lots.length > 0 && prng.chance(0.25)) {
      units.push({
        id: ids.unitId(),
        contractId: v.id,
        lotId: lots[0].id,
        plnPointId: ids.plnPointId(),
        totalSum: a.sum
      })
    }
    previous = v
  }
  const lastCreated = versions[versions.length - 1].crdate
  root.lastUpdate = lastCreated + prng.int(1, 200) * SECONDS_PER_DAY + prng.int(0, 3600)

  const payments: Array<PaymentSpec> = []
  const rootDayOfChain = dayOfWall(crdate)
  for (const pay of p.payments ?? drawPayments(ctx, amendmentPlans.length)) {
    const version = versions[pay.version ?? 0] ?? root
    const second = pay.second === undefined ? drawSecondOfDay(ctx) : pay.second
    // A drawn payment on an amendment comes after the amendment exists; planted ones keep their exact day.
    const day =
      p.payments === undefined
        ? Math.max(rootDayOfChain + pay.day, dayOfWall(version.crdate) + 1)
        : rootDayOfChain + pay.day
    const amount = Math.max(1, Math.round(version.sumWnds * (0.2 + prng.next() * 0.3)))
    payments.push({
      id: ids.paymentId(),
      contractId: version.id,
      payDate: wallOf(day, second ?? 0),
      dateOnly: second === null,
      amount,
      prepay: prng.chance(0.1) ? Math.round(amount * 0.3) : null
    })
  }

  return {
    rootId,
    versions,
    lots,
    units,
    payments,
    staleVersions: [],
    staleLots: [],
    duplicateRoot: false,
    withholdRoot: false,
    order: "shuffled"
  }
}

/** An older copy of a version: same id, `last_update_date` some days earlier, with changes the caller applies. */
export const staleCopy = (ctx: GenContext, v: VersionSpec, change: Partial<VersionSpec> = {}): VersionSpec => ({
  ...v,
  ...change,
  lastUpdate: v.lastUpdate - ctx.prng.int(1, 30) * SECONDS_PER_DAY
})
