import { buildChain, type ChainPlan, type PaymentPlan } from "../builder.ts"
import { STATUS, YEAR_TYPE } from "../refs.ts"
import { type ChainCase, flag, INDICATOR, type LabelShape, nearMiss, passing } from "./types.ts"

/**
 * Accelerated payment: days = first pay date over the chain − root crdate, in Almaty calendar days (the date parts
 * of the zone-less wall-clock times); flag when days < 5.
 */
const AP = INDICATOR.acceleratedPayment

const HOUR = 3600

const payment = (
  name: string,
  labels: ReadonlyArray<LabelShape>,
  payments: ReadonlyArray<PaymentPlan>,
  extra: Partial<ChainPlan> = {}
): ChainCase => ({
  name,
  labels,
  build: (ctx) =>
    buildChain(ctx, {
      customer: ctx.customer,
      supplier: ctx.pickSupplier(),
      ...passing(ctx),
      amendments: [],
      payments,
      ...extra
    })
})

/** A chain whose payment is booked on its amendment (the amendment keeps the sum: no growth). */
const onAmendment = (name: string, labels: ReadonlyArray<LabelShape>, day: number, deleted: boolean): ChainCase => ({
  name,
  labels,
  build: (ctx) => {
    const sum = ctx.prng.logUniformInt(500_000, 2_000_000_000)
    return buildChain(ctx, {
      customer: ctx.customer,
      supplier: ctx.pickSupplier(),
      ...passing(ctx),
      statusId: STATUS.amended,
      contractSum: sum,
      crdateSecond: 10 * HOUR,
      signDelay: HOUR,
      amendments: [{ sum, daysAfter: deleted ? 0 : 1, deleted }],
      payments: [{ version: 1, day, second: 16 * HOUR }]
    })
  }
})

export const paymentCases: ReadonlyArray<ChainCase> = [
  payment("first payment 4 days after creation", [flag(AP)], [{ day: 4 }, { day: 35 }]),
  payment("first payment exactly 5 days after creation", [nearMiss(AP)], [{ day: 5 }, { day: 20 }]),
  payment("paid on the creation day", [flag(AP)], [{ day: 0, second: 17 * HOUR }], { crdateSecond: 9 * HOUR }),
  onAmendment("paid on an amendment 2 days after the root's creation", [flag(AP)], 2, false),
  onAmendment("paid on a deleted amendment 1 day after the root's creation", [flag(AP)], 1, true),
  payment("created 23:50, paid 4 calendar days later at 00:10 (under 4×24 h)", [flag(AP)], [{ day: 4, second: 600 }], {
    crdateSecond: 23 * HOUR + 50 * 60,
    signDelay: 300
  }),
  payment(
    "created 23:59:59, paid 5 calendar days later at 00:00:01 (4 days 2 s elapsed)",
    [nearMiss(AP)],
    [{ day: 5, second: 1 }],
    { crdateSecond: 24 * HOUR - 1, signDelay: 0 }
  ),
  payment("date-only pay_date 4 days after creation", [flag(AP)], [{ day: 4, second: null }]),
  payment("date-only pay_date 5 days after creation", [nearMiss(AP)], [{ day: 5, second: null }]),
  payment("payment dated the day before creation", [flag(AP)], [{ day: -1 }]),
  payment("earliest of three payments, 3 days after creation", [flag(AP)], [{ day: 40 }, { day: 15 }, { day: 3 }]),
  payment(
    "excluded by the indicator's statuses: status 350 (terminated), paid after 1 day",
    [nearMiss(AP)],
    [{ day: 1 }],
    { statusId: STATUS.terminatedUnilaterally }
  ),
  payment("excluded by filter: year type 2 (multi-year), paid after 1 day", [nearMiss(AP)], [{ day: 1 }], {
    yearTypeId: YEAR_TYPE.multiYear
  }),
  payment("excluded by filter: draft status, paid after 2 days", [nearMiss(AP)], [{ day: 2 }], {
    statusId: STATUS.draft
  })
]
