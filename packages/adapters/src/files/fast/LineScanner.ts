import {
  binCodeOfBytes,
  decimalTiynOfBytes,
  fromAlmatyWallClock,
  simpleTiyn,
  wallClockOfBytes
} from "@adalqarau/core/lexical"
import { BIN, FLAG, INSTANT, INTEGER, KATO, type KindSpec, MONEY, POSITIVE_ID, TEXT } from "./kinds.ts"

/** The line was read into `row`. */
export const ACCEPTED = 0
/** An empty line: no record, as the general decoder skips it. */
export const BLANK = 1
/** Anything else: the general decoder (JSON.parse + decodeRecord) reads the line and gives the verdict. */
export const FALLBACK = 2

const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const COLON = 58
const MINUS = 45
const PLUS = 43
const DOT = 46
const ZERO = 48
const NINE = 57
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const SPACE = 32
const TAB = 9
const CARRIAGE_RETURN = 13
const LOWER_E = 101
const LOWER_U = 117

const MAX_EXACT_DIGITS = 15
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k)
const KEY_TABLE_BITS = 8
const MAX_ORDINALS = 64
const UNKNOWN = -1
const ALIAS = -3

/** Literal bytes, for comparisons in place. */
const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const NULL = bytesOf("null")
const TRUE = bytesOf("true")
const FALSE = bytesOf("false")

const hashStep = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0
const hashOf = (name: string): number => {
  let h = 0
  for (let i = 0; i < name.length; i++) h = hashStep(h, name.charCodeAt(i))
  return h
}

/**
 * Reads one JSONL line of a record kind straight into a numeric row, without JSON.parse and without an object
 * per record — for the records whose every value has a common, valid shape. It is a conservative filter, not a
 * second decoder: whatever it cannot vouch for (escapes in a value it needs, other number or date shapes, nested
 * values, duplicate or camelCase keys, a syntax error) goes to the general decoder, which alone names rejections.
 * So a line it accepts is one the general decoder accepts, with the same values.
 *
 * Works on the file's bytes in place, one pass, with plain byte loops: builtin calls (indexOf, startsWith) per
 * key cost more than the loops on this hardware, and decoding text to strings cost more again.
 */
export class LineScanner {
  readonly spec: KindSpec
  /**
   * The kept values of the last line read, by slot; NaN when absent. A text field with a slot keeps where its
   * value starts in the line's bytes here and where it ends in `textEnd`, and only when it has no escapes.
   */
  readonly row: Float64Array
  readonly textEnd: Int32Array
  private readonly defaults: Float64Array
  // Open-addressed key table: hash, length, field (-1 empty), whether the spelling is the camelCase one.
  private readonly keyHash: Int32Array
  private readonly keyLength: Int32Array
  private readonly keyField: Int32Array
  private readonly keyAlias: Uint8Array
  private readonly keyBytes: Array<Uint8Array>
  private readonly seen: Int32Array
  private readonly requiredCount: number
  // Each field's rule, requiredness and row slot, as flat arrays (read once per value).
  private readonly fieldRule: Int32Array
  private readonly fieldRequired: Uint8Array
  private readonly fieldSlot: Int32Array
  // The key met at each position of the last lines (OWS exports write their keys in one order): its bytes as
  // 32-bit words, its length and its field, so that the next line's key is recognised by a few word compares.
  private readonly ordinalWords: Array<Int32Array | undefined> = []
  private readonly ordinalLength = new Int32Array(MAX_ORDINALS)
  private readonly ordinalField = new Int32Array(MAX_ORDINALS)
  private ordinal = 0
  private view: DataView = new DataView(new ArrayBuffer(0))
  private line = 0
  private bytes: Uint8Array = new Uint8Array(0)
  private end = 0
  private requiredSeen = 0
  /** The field of the key `readKey` read last (see there). */
  private lastField = -1
  /** What the key `lookUpKey` read last is: a field index, UNKNOWN or ALIAS. */
  private keyIdentity = -1
  // The last number read: its end, whether it is a plain integer, its sign, digits, decimals and mantissa.
  private numberEnd = 0
  private numberInteger = false
  private numberNegative = false
  private numberDigits = 0
  private numberScale = 0
  private numberMantissa = 0

  constructor(spec: KindSpec) {
    this.spec = spec
    this.row = new Float64Array(spec.slots)
    this.textEnd = new Int32Array(spec.slots)
    this.defaults = new Float64Array(spec.slots).fill(Number.NaN)
    for (const f of spec.fields) if (f.rule === FLAG && f.slot >= 0) this.defaults[f.slot] = 0
    const size = 1 << KEY_TABLE_BITS
    this.keyHash = new Int32Array(size)
    this.keyLength = new Int32Array(size)
    this.keyField = new Int32Array(size).fill(-1)
    this.keyAlias = new Uint8Array(size)
    this.keyBytes = []
    spec.fields.forEach((f, field) => {
      for (const [name, alias] of [
        [f.name, 0],
        [f.alias, 1]
      ] as const) {
        if (name === undefined) continue
        const h = hashOf(name)
        let slot = (h ^ name.length) & (size - 1)
        while ((this.keyField[slot] as number) >= 0) slot = (slot + 1) & (size - 1)
        this.keyHash[slot] = h
        this.keyLength[slot] = name.length
        this.keyField[slot] = field
        this.keyAlias[slot] = alias
        this.keyBytes[slot] = bytesOf(name)
      }
    })
    this.seen = new Int32Array(spec.fields.length)
    this.fieldRule = Int32Array.from(spec.fields, (f) => f.rule)
    this.fieldRequired = Uint8Array.from(spec.fields, (f) => (f.required ? 1 : 0))
    this.fieldSlot = Int32Array.from(spec.fields, (f) => f.slot)
    this.requiredCount = spec.fields.filter((f) => f.required).length
  }

  /** Reads the line `bytes[from, to)` (without its line break and carriage return). */
  scan(bytes: Uint8Array, view: DataView, from: number, to: number): number {
    if (to === from) return BLANK
    this.bytes = bytes
    this.view = view
    this.ordinal = 0
    this.end = to
    this.line++
    this.requiredSeen = 0
    this.row.set(this.defaults)
    let p = this.skipSpace(from)
    if (p >= to || bytes[p] !== OPEN_BRACE) return FALLBACK
    p = this.skipSpace(p + 1)
    if (p >= to || bytes[p] === CLOSE_BRACE) return FALLBACK
    for (;;) {
      if (bytes[p] !== QUOTE) return FALLBACK
      p = this.readKey(p + 1)
      if (p < 0) return FALLBACK
      const field = this.lastField
      if (field === -2) return FALLBACK
      p = this.skipSpace(p)
      if (p >= to || bytes[p] !== COLON) return FALLBACK
      p = this.skipSpace(p + 1)
      if (p >= to) return FALLBACK
      p = field < 0 ? this.skipValue(p) : this.readValue(p, field)
      if (p < 0) return FALLBACK
      p = this.skipSpace(p)
      if (p >= to) return FALLBACK
      const c = bytes[p]
      if (c === COMMA) {
        p = this.skipSpace(p + 1)
        if (p >= to) return FALLBACK
        continue
      }
      if (c !== CLOSE_BRACE) return FALLBACK
      break
    }
    if (this.skipSpace(p + 1) !== to) return FALLBACK
    return this.requiredSeen === this.requiredCount ? ACCEPTED : FALLBACK
  }

  private skipSpace(p: number): number {
    const bytes = this.bytes
    const end = this.end
    while (p < end) {
      const c = bytes[p]
      if (c !== SPACE && c !== TAB && c !== CARRIAGE_RETURN) break
      p++
    }
    return p
  }

  /**
   * Reads a key whose text starts at `start` and sets `lastField`: its field, -1 when the decoder does not read
   * it, -2 to fall back (a camelCase spelling, a key given twice — JSON.parse keeps the last —, an escape).
   * Returns the position after the closing quote, or -1.
   */
  private readKey(start: number): number {
    const k = this.ordinal++
    if (k < MAX_ORDINALS) {
      const words = this.ordinalWords[k]
      const length = this.ordinalLength[k] as number
      if (words !== undefined && start + length < this.end && this.bytes[start + length] === QUOTE) {
        if (this.sameWords(start, length, words)) {
          this.settle(this.ordinalField[k] as number)
          return start + length + 1
        }
      }
    }
    const next = this.lookUpKey(start)
    if (next >= 0 && k < MAX_ORDINALS) this.remember(k, start, next - 1 - start)
    return next
  }

  /** Whether `bytes[start, start + length)` equal the key of `words` (its bytes, 4 to a little-endian word). */
  private sameWords(start: number, length: number, words: Int32Array): boolean {
    const view = this.view
    const whole = length >> 2
    for (let w = 0; w < whole; w++) if (view.getInt32(start + (w << 2), true) !== words[w]) return false
    for (let i = whole << 2; i < length; i++) {
      if (this.bytes[start + i] !== (((words[whole] as number) >>> ((i & 3) << 3)) & 0xff)) return false
    }
    return true
  }

  private remember(k: number, start: number, length: number): void {
    const words = new Int32Array((length >> 2) + 1)
    for (let i = 0; i < length; i++) words[i >> 2] |= (this.bytes[start + i] as number) << ((i & 3) << 3)
    this.ordinalWords[k] = words
    this.ordinalLength[k] = length
    this.ordinalField[k] = this.keyIdentity
  }

  /** Sets `lastField` for a key of the given identity (a field, UNKNOWN or ALIAS) met in the current line. */
  private settle(identity: number): void {
    if (identity === ALIAS || (identity >= 0 && this.seen[identity] === this.line)) this.lastField = -2
    else {
      if (identity >= 0) this.seen[identity] = this.line
      this.lastField = identity
    }
  }

  private lookUpKey(start: number): number {
    const bytes = this.bytes
    const end = this.end
    let h = 0
    let i = start
    for (;;) {
      if (i >= end) return -1
      const c = bytes[i] as number
      if (c === QUOTE) break
      if (c < SPACE || c === BACKSLASH) return -1
      h = hashStep(h, c)
      i++
    }
    const length = i - start
    const mask = (1 << KEY_TABLE_BITS) - 1
    let slot = (h ^ length) & mask
    let identity = UNKNOWN
    for (;;) {
      const field = this.keyField[slot] as number
      if (field < 0) break
      if (this.keyHash[slot] === h && this.keyLength[slot] === length && this.sameBytes(start, slot)) {
        identity = this.keyAlias[slot] === 1 ? ALIAS : field
        break
      }
      slot = (slot + 1) & mask
    }
    this.keyIdentity = identity
    this.settle(identity)
    return i + 1
  }

  private sameBytes(start: number, slot: number): boolean {
    const name = this.keyBytes[slot] as Uint8Array
    const bytes = this.bytes
    for (let k = 0; k < name.length; k++) if (bytes[start + k] !== name[k]) return false
    return true
  }

  private matches(p: number, literal: Uint8Array): boolean {
    if (p + literal.length > this.end) return false
    for (let k = 0; k < literal.length; k++) if (this.bytes[p + k] !== literal[k]) return false
    return true
  }

  /** Skips a value of a field the decoder does not read, checking its syntax; -1 when not a simple JSON value. */
  private skipValue(p: number): number {
    const c = this.bytes[p] as number
    if (c === QUOTE) return this.skipString(p + 1)
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.readNumber(p) ? this.numberEnd : -1
    if (this.matches(p, NULL) || this.matches(p, TRUE)) return p + 4
    if (this.matches(p, FALSE)) return p + 5
    return -1
  }

  /** The end of a string without escapes whose text starts at `start` (its closing quote), -2 with escapes, -1 when invalid. */
  private plainStringEnd(start: number): number {
    const bytes = this.bytes
    const end = this.end
    for (let i = start; i < end; i++) {
      const c = bytes[i] as number
      if (c === QUOTE) return i
      if (c < SPACE) return -1
      if (c === BACKSLASH) return -2
    }
    return -1
  }

  /**
   * Skips a string whose text starts at `start`, escapes included; the position after it, or -1 when invalid —
   * or when it has a `\u` escape and `plainEscapesOnly` is set: the decoder rejects text holding NUL or a lone
   * surrogate, which only such an escape can spell, so a checked text with one is left to it.
   */
  private skipString(start: number, plainEscapesOnly = false): number {
    const close = this.plainStringEnd(start)
    if (close >= 0) return close + 1
    if (close === -1) return -1
    const bytes = this.bytes
    const end = this.end
    let i = start
    while (i < end) {
      const c = bytes[i] as number
      if (c === QUOTE) return i + 1
      if (c < SPACE) return -1
      if (c !== BACKSLASH) {
        i++
        continue
      }
      const e = bytes[i + 1]
      if (e === LOWER_U) {
        if (plainEscapesOnly || i + 6 > end) return -1
        for (let h = 2; h < 6; h++) {
          const x = bytes[i + h] as number
          const lower = x | 32
          if (!((x >= ZERO && x <= NINE) || (lower >= 97 && lower <= 102))) return -1
        }
        i += 6
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 47 || // /
        e === 98 || // b
        e === 102 || // f
        e === 110 || // n
        e === 114 || // r
        e === 116 // t
      ) {
        i += 2
      } else return -1
    }
    return -1
  }

  /**
   * Reads a JSON number at `p` (its grammar exactly) into the number fields; false on a syntax error. The
   * mantissa is exact when it has at most 15 digits and no exponent.
   */
  private readNumber(p: number): boolean {
    const bytes = this.bytes
    const end = this.end
    let i = p
    this.numberNegative = false
    if (bytes[i] === MINUS) {
      this.numberNegative = true
      i++
    }
    let mantissa = 0
    let digits = 0
    if (i >= end) return false
    let c = bytes[i] as number
    if (c === ZERO) {
      i++
      digits = 1
    } else if (c > ZERO && c <= NINE) {
      while (i < end) {
        const d = (bytes[i] as number) - ZERO
        if (d < 0 || d > 9) break
        mantissa = mantissa * 10 + d
        digits++
        i++
      }
    } else return false
    let scale = 0
    let integer = true
    if (i < end && bytes[i] === DOT) {
      integer = false
      i++
      const first = i
      while (i < end) {
        const d = (bytes[i] as number) - ZERO
        if (d < 0 || d > 9) break
        mantissa = mantissa * 10 + d
        digits++
        i++
      }
      if (i === first) return false
      scale = i - first
    }
    if (i < end && ((bytes[i] as number) | 32) === LOWER_E) {
      integer = false
      digits = Number.POSITIVE_INFINITY
      i++
      c = bytes[i] as number
      if (i < end && (c === PLUS || c === MINUS)) i++
      const first = i
      while (i < end && (bytes[i] as number) >= ZERO && (bytes[i] as number) <= NINE) i++
      if (i === first) return false
    }
    this.numberEnd = i
    this.numberInteger = integer
    this.numberDigits = digits
    this.numberScale = scale
    this.numberMantissa = mantissa
    return true
  }

  /** Reads the value of a field the decoder reads, by its rule; -1 to fall back. */
  private readValue(p: number, field: number): number {
    const rule = this.fieldRule[field] as number
    const required = this.fieldRequired[field] === 1
    const slot = this.fieldSlot[field] as number
    const c = this.bytes[p] as number
    if (c === QUOTE) {
      const start = p + 1
      const close = this.plainStringEnd(start)
      if (close === -2) {
        // Escapes only matter in values whose shape is checked or that are kept; free text may be any string
        // without NUL or lone surrogates.
        if (rule !== TEXT || slot >= 0) return -1
        const next = this.skipString(start, true)
        if (next >= 0 && required) this.requiredSeen++
        return next
      }
      if (close < 0) return -1
      return this.readString(start, close, rule, required, slot) ? close + 1 : -1
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      if (!this.readNumber(p)) return -1
      return this.takeNumber(rule, required, slot) ? this.numberEnd : -1
    }
    if (this.matches(p, NULL)) return required ? -1 : p + 4
    if (rule === FLAG) {
      if (this.matches(p, TRUE)) {
        this.row[slot] = 1
        return p + 4
      }
      if (this.matches(p, FALSE)) return p + 5
    }
    return -1
  }

  /** A string value `bytes[start, close)` without escapes, by rule. */
  private readString(start: number, close: number, rule: number, required: boolean, slot: number): boolean {
    if (start === close) return !required // "" is absent: null, or false for a flag (the default)
    const bytes = this.bytes
    let value: number
    switch (rule) {
      case TEXT:
        if (required) this.requiredSeen++
        if (slot >= 0) {
          this.row[slot] = start
          this.textEnd[slot] = close
        }
        return true
      case POSITIVE_ID:
      case INTEGER: {
        if (close - start > MAX_EXACT_DIGITS) return false
        value = 0
        for (let i = start; i < close; i++) {
          const d = (bytes[i] as number) - ZERO
          if (d < 0 || d > 9) return false
          value = value * 10 + d
        }
        if (rule === POSITIVE_ID && value === 0) return false
        break
      }
      case MONEY:
        value = decimalTiynOfBytes(bytes, start, close)
        if (value < 0) return false
        break
      case INSTANT: {
        const wall = wallClockOfBytes(bytes, start, close)
        if (wall < 0) return false
        // Every wall-clock time converts; only kept values need the zone's offset looked up.
        value = slot >= 0 ? fromAlmatyWallClock(wall) : 0
        break
      }
      case BIN:
        if (close - start !== 12) return false
        value = binCodeOfBytes(bytes, start)
        if (value < 0) return false
        break
      case FLAG: {
        const length = close - start
        if (length === 1) {
          const d = bytes[start] as number
          if (d !== ZERO && d !== ZERO + 1) return false
          value = d - ZERO
        } else if (length === 4 && this.matches(start, TRUE)) value = 1
        else if (length === 5 && this.matches(start, FALSE)) value = 0
        else return false
        break
      }
      case KATO: {
        const length = close - start
        if (length < 2 || length > 9) return false
        for (let i = start; i < close; i++) {
          const d = (bytes[i] as number) - ZERO
          if (d < 0 || d > 9) return false
        }
        value = ((bytes[start] as number) - ZERO) * 10 + ((bytes[start + 1] as number) - ZERO)
        break
      }
      default:
        return false
    }
    if (required) this.requiredSeen++
    if (slot >= 0) this.row[slot] = value
    return true
  }

  /** The number just read, by rule. */
  private takeNumber(rule: number, required: boolean, slot: number): boolean {
    let value: number
    if (rule === TEXT) {
      // The decoder keeps a number given as text as JavaScript prints it; a kept one is left to the decoder.
      if (slot >= 0) return false
      if (required) this.requiredSeen++
      return true
    }
    if (this.numberNegative || this.numberDigits > MAX_EXACT_DIGITS) return false
    switch (rule) {
      case POSITIVE_ID:
      case INTEGER:
        if (!this.numberInteger) return false
        value = this.numberMantissa
        if (rule === POSITIVE_ID && value === 0) return false
        break
      case MONEY:
        // mantissa / 10^scale is the double JSON.parse gives: both operands are exact and IEEE division rounds
        // correctly, as JSON.parse's decimal conversion does.
        value = simpleTiyn(this.numberMantissa / (POWERS_OF_TEN[this.numberScale] as number))
        if (value < 0) return false
        break
      case FLAG:
        if (!this.numberInteger || this.numberMantissa > 1) return false
        value = this.numberMantissa
        break
      case KATO: {
        const digits = this.numberDigits
        if (!this.numberInteger || digits < 2 || digits > 9) return false
        value = Math.floor(this.numberMantissa / (POWERS_OF_TEN[digits - 2] as number))
        break
      }
      default:
        return false
    }
    if (required) this.requiredSeen++
    if (slot >= 0) this.row[slot] = value
    return true
  }
}
