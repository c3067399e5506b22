import { REGION_CODES, type RegionCode } from "../../domain/Region.ts"
import { grownI8 } from "./columns.ts"
import { IdIndex } from "./IdIndex.ts"

const isTwelveDigits = (text: string): boolean => {
  if (text.length !== 12) return false
  for (let i = 0; i < 12; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
  }
  return true
}

const NO_REGION = -1

/**
 * BINs interned to dense integer ids, with each BIN's region. A BIN is 12 digits, so its number is a lossless key
 * (the fast JSONL path hands over that number without ever making the string); texts of another shape — possible
 * only through `DatasetBuilder.add` with an unchecked value — get negative codes of their own.
 */
export class BinTable {
  private readonly index = new IdIndex(1024)
  private readonly odd: Array<string> = []
  private readonly oddCodes = new Map<string, number>()
  private texts: Array<string | undefined> = []
  private regions: Int8Array = new Int8Array(1024).fill(NO_REGION)

  get size(): number {
    return this.index.size
  }

  /** The id of a BIN given by its 12-digit number. */
  idOfCode(code: number): number {
    return this.index.slotOrInsert(code)
  }

  idOfText(text: string): number {
    return this.index.slotOrInsert(this.codeOfText(text))
  }

  /** The id of a BIN already interned, or -1. */
  findText(text: string): number {
    if (isTwelveDigits(text)) return this.index.get(Number(text))
    const code = this.oddCodes.get(text)
    return code === undefined ? -1 : this.index.get(code)
  }

  text(id: number): string {
    const cached = this.texts[id]
    if (cached !== undefined) return cached
    const code = this.index.keyAt(id)
    const text = code >= 0 ? String(code).padStart(12, "0") : (this.odd[-code - 1] as string)
    this.texts[id] = text
    return text
  }

  /** Records a subject's region (`null` when its KATO code is absent or names no region); the later call wins. */
  setRegion(id: number, region: RegionCode | null): void {
    if (id >= this.regions.length) {
      const previous = this.regions.length
      this.regions = grownI8(this.regions, Math.max(id + 1, previous * 2))
      this.regions.fill(NO_REGION, previous)
    }
    this.regions[id] = region === null ? NO_REGION : REGION_CODES.indexOf(region)
  }

  region(id: number): RegionCode | null {
    if (id < 0 || id >= this.regions.length) return null
    const index = this.regions[id] as number
    return index === NO_REGION ? null : (REGION_CODES[index] as RegionCode)
  }

  private codeOfText(text: string): number {
    if (isTwelveDigits(text)) return Number(text)
    const known = this.oddCodes.get(text)
    if (known !== undefined) return known
    this.odd.push(text)
    const code = -this.odd.length
    this.oddCodes.set(text, code)
    return code
  }
}
