import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as fc from "fast-check"
import { Bin, binCheckDigit, binProblem, completeBin, isValidBin } from "../src/index.ts"

/**
 * An independent reference of the rule in the domain guide: mod 11 over weights 1..11; on 10, again over
 * weights 3..11,1,2; a second 10 admits no check digit. Written differently from the source on purpose.
 */
const referenceCheck = (first11: string): number | undefined => {
  const digits = [...first11].map(Number)
  const first = digits.reduce((sum, d, i) => sum + d * (i + 1), 0) % 11
  if (first !== 10) return first
  const second = digits.reduce((sum, d, i) => sum + d * (((i + 2) % 11) + 1), 0) % 11
  return second === 10 ? undefined : second
}

const firstPass = (first11: string): number => [...first11].map(Number).reduce((s, d, i) => s + d * (i + 1), 0) % 11

const digits11 = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 11, maxLength: 11 })

/** 11 digits that admit a check digit, with it appended. */
const validBin = digits11.filter((d) => referenceCheck(d) !== undefined).map((d) => `${d}${referenceCheck(d)}`)

describe("BIN check digit, hand-computed examples", () => {
  it("first pass: 9·1+4·2+0·3+4·4+4·5+0·6+0·7+0·8+1·9+1·10+9·11 = 171 ≡ 6 (mod 11)", () => {
    assert.strictEqual(binCheckDigit("94044000119"), 6)
    assert.isTrue(isValidBin("940440001196"))
    assert.isFalse(isValidBin("940440001197"))
  })

  it("second pass: 12345678901 gives 296 ≡ 10, then 377 ≡ 3 with weights 3..11,1,2", () => {
    assert.strictEqual(binCheckDigit("12345678901"), 3)
    assert.isTrue(isValidBin("123456789013"))
    // 10 would be the naive first-pass answer; 0 (10 mod 10) must not be accepted either
    assert.isFalse(isValidBin("123456789010"))
  })

  it("all ones sum to 66 ≡ 0, all zeros to 0", () => {
    assert.strictEqual(completeBin("11111111111"), "111111111110")
    assert.strictEqual(completeBin("00000000000"), "000000000000")
  })

  it("00000752305 gives 10 twice (175 ≡ 10, 164 ≡ 10): no 12th digit makes it valid", () => {
    assert.isUndefined(binCheckDigit("00000752305"))
    assert.isUndefined(completeBin("00000752305"))
    for (let d = 0; d <= 9; d++) {
      const problem = binProblem(`00000752305${d}`)
      assert.isDefined(problem)
      assert.include(problem, "mod 11 gives 10 twice")
    }
  })

  it("names what is wrong: length, non-digits, the expected check digit", () => {
    assert.include(binProblem("94044000119"), "exactly 12 digits")
    assert.include(binProblem("9404400011960"), "exactly 12 digits")
    assert.include(binProblem("94044000119a"), "exactly 12 digits")
    assert.include(binProblem(" 940440001196"), "exactly 12 digits")
    assert.include(binProblem("940440001197"), "expected last digit 6, got 7")
    assert.isUndefined(binProblem("940440001196"))
  })

  it("the Bin schema accepts valid BINs only", () => {
    assert.isTrue(Schema.is(Bin)("123456789013"))
    assert.isFalse(Schema.is(Bin)("123456789012"))
    assert.isFalse(Schema.is(Bin)("000007523050"))
    assert.isFalse(Schema.is(Bin)("1234"))
  })
})

describe("BIN properties", () => {
  it("binCheckDigit agrees with the reference on any 11 digits", () => {
    fc.assert(fc.property(digits11, (d) => binCheckDigit(d) === referenceCheck(d)))
  })

  it("completeBin always validates when defined, and no digit works when it is undefined", () => {
    fc.assert(
      fc.property(digits11, (d) => {
        const bin = completeBin(d)
        if (bin !== undefined) return isValidBin(bin) && bin.startsWith(d) && bin.length === 12
        return [..."0123456789"].every((c) => !isValidBin(`${d}${c}`))
      })
    )
  })

  it("changing the check digit of a valid BIN always breaks it", () => {
    fc.assert(
      fc.property(validBin, fc.integer({ min: 1, max: 9 }), (bin, delta) => {
        const changed = `${bin.slice(0, 11)}${(Number(bin[11]) + delta) % 10}`
        return !isValidBin(changed)
      })
    )
  })

  /**
   * Weight 11 is 0 mod 11 in the first pass (and weight 11 sits on the 9th digit in the second), so the rule cannot
   * catch every single-digit error. The exact statement: the changed number is valid iff its first 11 digits call
   * for the unchanged check digit, and that can happen only when one side went to the second pass or the change
   * hit a digit with weight 0 mod 11 in the pass that decided.
   */
  it("a single-digit change in the first 11 digits keeps validity only as the rule allows", () => {
    fc.assert(
      fc.property(validBin, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (bin, pos, delta) => {
        const changed11 = `${bin.slice(0, pos)}${(Number(bin[pos]) + delta) % 10}${bin.slice(pos + 1, 11)}`
        const changed = `${changed11}${bin[11]}`
        const valid = isValidBin(changed)
        if (valid !== (referenceCheck(changed11) === Number(bin[11]))) return false
        const bothFirstPass = firstPass(bin.slice(0, 11)) !== 10 && firstPass(changed11) !== 10
        // with both decided by the first pass, only the 11th digit (weight 11 ≡ 0) can change unnoticed
        if (bothFirstPass) return valid === (pos === 10)
        return true
      })
    )
  })

  it("the 11th digit is invisible to the first pass: every 9404400011?6 is valid", () => {
    assert.isTrue(isValidBin("940440001106"))
    for (let d = 0; d <= 9; d++) assert.isTrue(isValidBin(`9404400011${d}6`))
  })
})
