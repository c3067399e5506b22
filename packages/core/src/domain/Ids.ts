import { Schema } from "effect"

const PositiveId = Schema.Int.check(Schema.isGreaterThan(0))

export const ContractId = PositiveId.pipe(Schema.brand("ContractId"))
export type ContractId = typeof ContractId.Type

export const LotId = PositiveId.pipe(Schema.brand("LotId"))
export type LotId = typeof LotId.Type

export const PaymentId = PositiveId.pipe(Schema.brand("PaymentId"))
export type PaymentId = typeof PaymentId.Type

export const UnitId = PositiveId.pipe(Schema.brand("UnitId"))
export type UnitId = typeof UnitId.Type

import { INSTANT_MAX, INSTANT_MIN } from "./instantRange.ts"

export { INSTANT_MAX, INSTANT_MIN } from "./instantRange.ts"

/**
 * A UTC instant as epoch milliseconds (see AlmatyTime for how goszakup's zone-less times are read), in years
 * 0001–9999: PostgreSQL's `timestamptz` text for later ones is not read back, so a filter beyond them would fail
 * there and not in memory.
 */
export const Instant = Schema.Number.check(
  Schema.isInt(),
  Schema.isBetween({ minimum: INSTANT_MIN, maximum: INSTANT_MAX })
).pipe(Schema.brand("Instant"))
export type Instant = typeof Instant.Type
