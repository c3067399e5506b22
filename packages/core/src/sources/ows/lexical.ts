/**
 * The value readers of the OWS decoders in the form a byte-level JSONL scanner needs: reading in place from
 * `text[from, to)` (or bytes) and returning -1 instead of a reason. `decodeRecord` uses the string forms, and the
 * byte forms are the same algorithms over bytes (test/lexical.test.ts holds them equal), so a value the scanner
 * accepts decodes to the same number. Imports nothing that loads effect: worker threads of the JSONL
 * reader load this module alone (`@adalqarau/core/lexical`).
 */
export { almatyTransitions, fromAlmatyWallClock, wallClockAt, wallClockOfBytes } from "../../domain/AlmatyTime.ts"
export { binCodeAt, binCodeOfBytes } from "../../domain/binDigits.ts"
export { decimalTiynAt, decimalTiynOfBytes, simpleTiyn } from "../../domain/tiyn.ts"
