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

/** The first and last millisecond of years with four digits (0001–9999), the instants the stores can hold. */
export const INSTANT_MIN = -62_135_596_800_000
export const INSTANT_MAX = 253_402_300_799_999

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
