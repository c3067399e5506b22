import { Schema } from "effect"
import { almatyDay, formatDay } from "../domain/AlmatyTime.ts"
import { contractFindingAt, forEachPassingRoot } from "./columnar.ts"
import { IdList, NonNegativeInt, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"

export const AcceleratedPaymentParams = Schema.Struct({
  maxDays: withDefault(NonNegativeInt, 5),
  statusIds: withDefault(IdList, [190, 375, 390, 450])
})
export type AcceleratedPaymentParams = typeof AcceleratedPaymentParams.Type

export const NO_PAYMENTS = "no payments"

export const acceleratedPayment: Indicator<AcceleratedPaymentParams> = {
  code: "accelerated-payment",
  titles: { ru: "Ускоренная оплата", kk: "Жеделдетілген төлем", en: "Accelerated payment" },
  formula: "days = first pay_date over the chain − root crdate (calendar days, Asia/Almaty); flag when days < N",
  description:
    "Money reaches the supplier within days of the contract's creation — too fast for delivery and acceptance, " +
    "which suggests the work was agreed or done before the procurement.",
  scope: "chain",
  params: AcceleratedPaymentParams,
  measureDocs: [
    {
      name: "days",
      description: "calendar days (Almaty) from the root's crdate to the first payment; negative when paid before",
      kind: "decimal"
    },
    { name: "contract_created", description: "the root's crdate, an Almaty date", kind: "date" },
    { name: "first_payment", description: "the first pay_date over the chain, an Almaty date", kind: "date" }
  ],
  parameterDocs: [
    {
      name: "maxDays",
      description: "N: flag when the first payment comes fewer than N days after creation",
      default: 5
    },
    {
      name: "statusIds",
      description: "contract statuses this indicator looks at (replaces the common status set)",
      default: [190, 375, 390, 450]
    }
  ],
  evaluate: (dataset, params, filters, sink) => {
    const thresholds = { max_days: String(params.maxDays) }
    forEachPassingRoot(
      dataset,
      filters,
      sink,
      (chain, root) => {
        const firstPay = dataset.firstPayAt(chain)
        if (Number.isNaN(firstPay)) return sink.skip(NO_PAYMENTS)
        sink.evaluated()
        const created = almatyDay(dataset.table.crdate[root] as number)
        const paid = almatyDay(firstPay)
        const days = paid - created
        if (days >= params.maxDays) return
        const createdText = formatDay(created)
        const paidText = formatDay(paid)
        sink.emit(
          contractFindingAt(
            dataset,
            "accelerated-payment",
            root,
            { days: String(days), contract_created: createdText, first_payment: paidText },
            thresholds,
            // A payment dated before the contract's creation (days < 0) is said as "before": "-9 days after" read
            // as a typo. The SQL engine words it alike (evaluate.ts), and migration 0021 rewrote stored findings.
            days < 0
              ? {
                  ru: `Первая оплата ${paidText} за ${-days} дн. до создания договора ${createdText} (порог: менее ${params.maxDays} дн.).`,
                  en: `First payment on ${paidText}, ${-days} day(s) before the contract was created on ${createdText} (threshold: fewer than ${params.maxDays}).`
                }
              : {
                  ru: `Первая оплата ${paidText} через ${days} дн. после создания договора ${createdText} (порог: менее ${params.maxDays} дн.).`,
                  en: `First payment on ${paidText}, ${days} day(s) after the contract was created on ${createdText} (threshold: fewer than ${params.maxDays}).`
                }
          )
        )
      },
      params.statusIds
    )
  }
}
