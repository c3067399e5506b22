/**
 * The first and last millisecond of years with four digits (0001–9999), the instants the stores can hold
 * (PostgreSQL's `timestamptz` text for later ones is not read back). No effect import: the JSONL reader's worker
 * threads load the timestamp parser that checks it.
 */
export const INSTANT_MIN = -62_135_596_800_000
export const INSTANT_MAX = 253_402_300_799_999
