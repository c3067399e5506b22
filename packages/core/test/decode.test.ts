import { assert, describe, it } from "@effect/vitest"
import {
  type Decoded,
  decodeContract,
  decodeLot,
  decodePayment,
  decodeRecord,
  decodeRefEntry,
  decodeSubject,
  decodeUnit,
  RecordRejection,
  type RecordKind,
  parseOwsJson,
  showValue
} from "../src/index.ts"
import { at, CUSTOMER, rawContract, SUPPLIER, tenge } from "./fixtures.ts"

const ok = <A>(decoded: Decoded<A>): A => {
  if (!decoded.ok) throw new Error(`unexpected rejection: ${decoded.rejection.text}`)
  return decoded.value
}

const rejection = <A>(decoded: Decoded<A>): RecordRejection => {
  if (decoded.ok) throw new Error("expected a rejection")
  return decoded.rejection
}

/** Asserts a contract with `field` set to `value` is rejected on that field, showing the value and a reason. */
const rejectsContractField = (field: string, value: unknown, reasonFragment: string): RecordRejection => {
  const r = rejection(decodeContract(rawContract({ [field]: value })))
  assert.strictEqual(r.kind, "contract")
  assert.strictEqual(r.field, field)
  assert.strictEqual(r.value, value === undefined ? "(missing)" : JSON.stringify(value))
  assert.include(r.reason, reasonFragment)
  assert.strictEqual(r.recordId, "101")
  return r
}

const camelCase = (snake: string): string => snake.replace(/_([a-z])/gu, (_, c: string) => c.toUpperCase())

const camelRecord = (snake: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(snake).map(([k, v]) => [camelCase(k), v]))

describe("decodeContract", () => {
  it("maps every OWS field onto the domain contract", () => {
    const c = ok(decodeContract(rawContract({ fakt_sum_wnds: 950.5, parent_id: 100, root_id: "100" })))
    assert.deepStrictEqual(c, {
      id: 101,
      parentId: 100,
      rootId: 100,
      trdBuyId: 5001,
      statusId: 190,
      typeId: 1,
      yearTypeId: 1,
      subjectTypeId: 2,
      deleted: false,
      crdate: at("2023-05-10 10:00:00"),
      lastUpdateDate: at("2023-05-11 09:00:00"),
      signDate: at("2023-05-10 12:00:00"),
      customerBin: CUSTOMER,
      supplierBin: SUPPLIER,
      contractNumber: "N-101",
      contractNumberSys: "SYS-101",
      finYear: 2023,
      currencyCode: "KZT",
      contractSum: 89286,
      contractSumWnds: 100000,
      faktSum: null,
      faktSumWnds: 95050,
      ecEndDate: at("2023-12-31"),
      planExecDate: null,
      faktExecDate: null,
      contractEndDate: null,
      cancelId: null,
      descriptionRu: "Поставка"
    } as unknown as typeof c)
  })

  it("accepts GraphQL camelCase names for every field", () => {
    // every field set, so that a camelCase name the decoder does not know shows up as a null
    const snake = rawContract({
      parent_id: 100,
      root_id: 100,
      fakt_sum: "10.00",
      fakt_sum_wnds: "12.30",
      plan_exec_date: "2023-11-01",
      fakt_exec_date: "2023-11-02",
      contract_end_date: "2023-12-01",
      ref_contract_cancel_id: 4,
      deleted: 1
    })
    assert.deepStrictEqual(
      Object.entries(snake).filter(([, v]) => v === null),
      []
    )
    const camel = camelRecord(snake)
    assert.property(camel, "supplierBiin")
    assert.property(camel, "refContractStatusId")
    const decoded = ok(decodeContract(camel))
    assert.deepStrictEqual(decoded, ok(decodeContract(snake)))
    assert.deepStrictEqual(
      Object.entries(decoded).filter(([, v]) => v === null),
      []
    )
  })

  it("names the snake_case field even when the record used camelCase", () => {
    const camel = camelRecord(rawContract({ contract_sum_wnds: "-5" }))
    const r = rejection(decodeContract(camel))
    assert.strictEqual(r.field, "contract_sum_wnds")
    assert.strictEqual(r.recordId, "101")
  })

  it("ignores unknown extra fields", () => {
    const plain = ok(decodeContract(rawContract()))
    const extra = ok(decodeContract(rawContract({ supplier_bik: "KCJBKZKX", system_id: 3, nested: { a: [1] } })))
    assert.deepStrictEqual(extra, plain)
  })

  it("reads absent, null and empty optional fields as null", () => {
    const c = ok(
      decodeContract(rawContract({ parent_id: "", sign_date: null, customer_bin: "", contract_sum_wnds: undefined }))
    )
    assert.isNull(c.parentId)
    assert.isNull(c.signDate)
    assert.isNull(c.customerBin)
    assert.isNull(c.contractSumWnds)
  })

  it("reads integers given as digits in a string, and BINs given as numbers (leading zeros restored)", () => {
    const c = ok(
      decodeContract(
        rawContract({ id: "101", ref_contract_status_id: " 390 ", fin_year: "2024", customer_bin: 111111111110 })
      )
    )
    assert.strictEqual(c.id, 101)
    assert.strictEqual(c.statusId, 390)
    assert.strictEqual(c.finYear, 2024)
    assert.strictEqual(c.customerBin, "111111111110")
    const padded = ok(decodeContract(rawContract({ customer_bin: 0 })))
    assert.strictEqual(padded.customerBin, "000000000000")
  })

  it("reads the deleted flag in each spelling OWS uses", () => {
    for (const yes of [true, 1, "1", "true"]) assert.isTrue(ok(decodeContract(rawContract({ deleted: yes }))).deleted)
    for (const no of [false, 0, "0", "false", null, "", undefined])
      assert.isFalse(ok(decodeContract(rawContract({ deleted: no }))).deleted)
    rejectsContractField("deleted", "yes", "boolean flag")
    rejectsContractField("deleted", 2, "boolean flag")
  })

  it("reads text fields, numbers as text, and rejects other types", () => {
    assert.strictEqual(ok(decodeContract(rawContract({ contract_number: 777 }))).contractNumber, "777")
    rejectsContractField("contract_number", { no: 1 }, "expected text, got object")
    rejectsContractField("description_ru", true, "expected text, got boolean")
  })

  it("rejects text with a NUL character or a lone surrogate, which no text column holds", () => {
    rejectsContractField("description_ru", "a\u0000b", "NUL character")
    rejectsContractField("contract_number", "\ud800x", "lone UTF-16 surrogate")
    assert.strictEqual(ok(decodeContract(rawContract({ description_ru: "\ud83d\ude00 ok" }))).descriptionRu, "😀 ok")
  })

  it("rejects a missing or invalid id", () => {
    const missing = rejection(decodeContract(rawContract({ id: undefined })))
    assert.strictEqual(missing.field, "id")
    assert.strictEqual(missing.value, "(missing)")
    assert.strictEqual(missing.reason, "required field is missing")
    assert.isUndefined(missing.recordId)
    for (const [bad, fragment] of [
      [0, "positive"],
      [-3, "positive"],
      ["abc", "expected an integer, got text"],
      [1.5, "expected an integer, got number"],
      [true, "expected an integer, got boolean"]
    ] as const) {
      const r = rejection(decodeContract(rawContract({ id: bad })))
      assert.strictEqual(r.field, "id")
      assert.strictEqual(r.value, JSON.stringify(bad))
      assert.include(r.reason, fragment)
    }
  })

  it("rejects bad integers and ids in optional fields", () => {
    rejectsContractField("parent_id", "x", "expected an integer")
    rejectsContractField("root_id", 0, "positive")
    rejectsContractField("ref_contract_status_id", 1.5, "expected an integer")
    rejectsContractField("ref_contract_type_id", "1a", "expected an integer")
    rejectsContractField("fin_year", "12345678901234567", "integer beyond 2^53 − 1")
    rejectsContractField("trd_buy_id", [], "expected an integer, got object")
    rejectsContractField("fin_year", 2 ** 53 + 2, "integer beyond 2^53 − 1")
  })

  it("rejects bad BINs with the rule they break", () => {
    rejectsContractField("customer_bin", "12345", "exactly 12 digits")
    rejectsContractField("customer_bin", "1234567890123", "exactly 12 digits")
    rejectsContractField("customer_bin", "12345678901a", "exactly 12 digits")
    rejectsContractField("customer_bin", "123456789012", "expected last digit 3, got 2")
    rejectsContractField("supplier_biin", "000007523050", "mod 11 gives 10 twice")
    rejectsContractField("supplier_biin", 123456789012, "expected last digit 3")
    rejectsContractField("supplier_biin", { bin: 1 }, "expected a BIN as text")
  })

  it("rejects negative, over-precise and non-numeric sums", () => {
    rejectsContractField("contract_sum_wnds", -5, "must not be negative")
    rejectsContractField("contract_sum_wnds", "-0.01", "must not be negative")
    rejectsContractField("contract_sum_wnds", "10.123", "more precision than 1 tiyn")
    rejectsContractField("fakt_sum_wnds", 0.001, "more precision than 1 tiyn")
    rejectsContractField("contract_sum", "1 000", "expected a decimal amount")
  })

  it("rejects bad dates and a missing creation time", () => {
    rejectsContractField("sign_date", "2023-02-30", "not a real calendar date")
    rejectsContractField("crdate", "garbage", "expected a date like")
    rejectsContractField("last_update_date", 1700000000, "got number")
    rejectsContractField("sign_date", "2024-06-06 06:53:48+99:99", "no zone uses")
    rejectsContractField("sign_date", "2024-06-06 06:53:48+05:60", "no zone uses")
    rejectsContractField("sign_date", "2024-06-06 06:53:48+05:07:60", "no zone uses")
    rejectsContractField("sign_date", "2024-06-06 06:53:48+14:00:01", "no zone uses")
    rejectsContractField("sign_date", "2024-06-06 06:53:48+050748", "expected a date like")
    assert.strictEqual(
      ok(decodeContract(rawContract({ sign_date: "2024-06-06 06:53:48-12:00" }))).signDate,
      Date.UTC(2024, 5, 6, 18, 53, 48)
    )
    const r = rejectsContractField("crdate", null, "required field is null")
    assert.strictEqual(r.value, "null")
    assert.strictEqual(r.text, "contract 101 field crdate = null: required field is null")
  })

  it("parseOwsJson keeps numbers of more than 15 significant digits exact, which JSON.parse rounds", () => {
    const text = JSON.stringify(rawContract({ contract_sum_wnds: 1, id: 7 })).replace(
      '"contract_sum_wnds":1',
      '"contract_sum_wnds":80000000000000.01'
    )
    assert.strictEqual(ok(decodeContract(JSON.parse(text))).contractSumWnds, 8_000_000_000_000_002)
    assert.strictEqual(ok(decodeContract(parseOwsJson(text))).contractSumWnds, 8_000_000_000_000_001)
    const tooFine = parseOwsJson(
      '{"contract_sum_wnds":1.0000000000000001,"id":9007199254740993,"note":"1234567890123456.5"}'
    )
    assert.deepStrictEqual(tooFine, {
      contract_sum_wnds: "1.0000000000000001",
      id: "9007199254740993",
      note: "1234567890123456.5"
    })
    assert.deepStrictEqual(parseOwsJson('{"a":12.5,"b":[1,2]}'), { a: 12.5, b: [1, 2] })
  })

  it("rejects what is not a JSON object", () => {
    for (const raw of [null, [], "text", 5, undefined]) {
      const r = rejection(decodeContract(raw))
      assert.strictEqual(r.field, "(record)")
      assert.strictEqual(r.reason, "expected a JSON object")
      assert.strictEqual(r.value, showValue(raw))
    }
  })

  it("reports the first failing field in table order", () => {
    const r = rejection(decodeContract(rawContract({ crdate: "x", customer_bin: "1" })))
    assert.strictEqual(r.field, "crdate")
  })

  it("takes the record id from the camelCase id when there is no snake_case one", () => {
    const r = rejection(decodeUnit({ id: 9, contractId: 101, lotId: "x" }))
    assert.strictEqual(r.field, "lot_id")
    assert.strictEqual(r.recordId, "9")
  })
})

describe("other record kinds", () => {
  it("decodes a unit and requires its contract", () => {
    assert.deepStrictEqual(ok(decodeUnit({ id: 1, contract_id: 101, lot_id: 7, pln_point_id: 3, total_sum: "5.00" })), {
      id: 1,
      contractId: 101,
      lotId: 7,
      plnPointId: 3,
      totalSum: 500
    } as unknown as ReturnType<typeof ok>)
    assert.isNull(ok(decodeUnit({ id: 1, contract_id: 101 })).lotId)
    const r = rejection(decodeUnit({ id: 1, lot_id: 7 }))
    assert.strictEqual(r.kind, "unit")
    assert.strictEqual(r.field, "contract_id")
  })

  it("decodes a lot and requires its amount", () => {
    const lot = ok(decodeLot({ id: 7, trd_buy_id: 5, amount: "100000.00", customer_bin: CUSTOMER }))
    assert.strictEqual(lot.amount, tenge(100000))
    assert.isNull(lot.lastUpdateDate)
    const r = rejection(decodeLot({ id: 7, amount: null }))
    assert.strictEqual(r.kind, "lot")
    assert.strictEqual(r.field, "amount")
    assert.strictEqual(r.reason, "required field is null")
    assert.strictEqual(rejection(decodeLot({ id: 7, amount: "1.234" })).field, "amount")
  })

  it("says whether a required field is missing (no key), null or empty", () => {
    for (const [value, reason] of [
      [undefined, "required field is missing"],
      [null, "required field is null"],
      ["", "required field is empty"]
    ] as const) {
      const r = rejectsContractField("crdate", value, reason)
      assert.strictEqual(r.reason, reason)
      assert.strictEqual(rejection(decodeLot({ id: 7, amount: value })).reason, reason)
    }
  })

  it("says a required field with two spellings is null when either holds null and neither a value", () => {
    const payment = { id: 3, contract_id: 101, pay_date: "2023-05-12 09:00:00", pay_amount: 1 }
    const reasonOf = (fields: Readonly<Record<string, unknown>>) => {
      const r = rejection(decodePayment({ ...payment, pay_date: undefined, ...fields }))
      assert.strictEqual(r.field, "pay_date")
      return r.reason
    }
    assert.strictEqual(reasonOf({}), "required field is missing")
    assert.strictEqual(reasonOf({ pay_date: null }), "required field is null")
    assert.strictEqual(reasonOf({ payDate: null }), "required field is null")
    assert.strictEqual(reasonOf({ pay_date: null, payDate: null }), "required field is null")
    // A null under one spelling and a value under the other is read as before: the value.
    assert.strictEqual(
      ok(decodePayment({ ...payment, pay_date: null, payDate: "2023-05-12 09:00:00" })).payDate,
      at("2023-05-12 09:00:00")
    )
    const unit = rejection(decodeUnit({ id: 1, contract_id: null }))
    assert.deepStrictEqual([unit.field, unit.reason], ["contract_id", "required field is null"])
    const ref = rejection(decodeRefEntry({ book: "b", id: 1, name_ru: null }))
    assert.deepStrictEqual([ref.field, ref.reason], ["name_ru", "required field is null"])
    const amount = rejection(decodePayment({ ...payment, pay_amount: null }))
    assert.deepStrictEqual([amount.field, amount.reason], ["pay_amount", "required field is null"])
  })

  it("decodes a payment (camelCase as GraphQL sends it) and requires its date", () => {
    const p = ok(decodePayment({ id: 3, contractId: 101, payDate: "2023-05-12 09:00:00", payAmount: 10, prepaySum: 0 }))
    assert.strictEqual(p.payDate, at("2023-05-12 09:00:00"))
    assert.strictEqual(p.payAmount, 1000)
    assert.strictEqual(p.prepaySum, 0)
    const r = rejection(decodePayment({ id: 3, contract_id: 101, pay_amount: 1 }))
    assert.strictEqual(r.field, "pay_date")
    assert.strictEqual(r.recordId, "3")
  })

  it("decodes a subject, keyed by BIN, with a KATO code", () => {
    const s = ok(decodeSubject({ bin: CUSTOMER, name_ru: "Акимат", kato: 711110000 }))
    assert.strictEqual(s.kato, "711110000")
    assert.isNull(s.nameKz)
    const badKato = rejection(decodeSubject({ bin: CUSTOMER, kato: "7a" }))
    assert.strictEqual(badKato.field, "kato")
    assert.strictEqual(badKato.recordId, CUSTOMER)
    assert.include(badKato.reason, "2 to 9 digits")
    assert.strictEqual(rejection(decodeSubject({ bin: CUSTOMER, kato: "1234567890" })).field, "kato")
    const badBin = rejection(decodeSubject({ bin: "123456789012", kato: "71" }))
    assert.strictEqual(badBin.field, "bin")
  })

  it("decodes a reference-book entry and requires its book and Russian name", () => {
    const e = ok(decodeRefEntry({ book: "ref_contract_status", id: "190", name_ru: "Действует", name_kz: null }))
    assert.strictEqual(e.id, 190)
    assert.isNull(e.code)
    assert.strictEqual(rejection(decodeRefEntry({ book: "ref_contract_status", id: 190 })).field, "name_ru")
    assert.strictEqual(rejection(decodeRefEntry({ id: 190, name_ru: "x" })).field, "book")
  })

  it("accepts camelCase names for every field of every other kind", () => {
    const samples: ReadonlyArray<readonly [RecordKind, Record<string, unknown>]> = [
      ["unit", { id: 1, contract_id: 101, lot_id: 7, pln_point_id: 3, total_sum: "5.00" }],
      ["lot", { id: 7, trd_buy_id: 5, amount: "10.00", customer_bin: CUSTOMER, last_update_date: "2023-05-01" }],
      ["payment", { id: 3, contract_id: 101, pay_date: "2023-05-12", pay_amount: "1.00", prepay_sum: "0.50" }],
      ["subject", { bin: CUSTOMER, name_ru: "Акимат", name_kz: "Әкімдік", kato: "711110000" }],
      ["ref", { book: "ref_contract_status", id: 190, code: "A", name_ru: "Действует", name_kz: "Қолданыста" }]
    ]
    for (const [kind, snake] of samples) {
      const fromSnake = ok(decodeRecord(kind, snake))
      assert.deepStrictEqual(ok(decodeRecord(kind, camelRecord(snake))), fromSnake, kind)
      assert.deepStrictEqual(
        Object.entries(fromSnake.value).filter(([, v]) => v === null),
        [],
        kind
      )
    }
  })

  it("decodeRecord rejects a kind it does not know, naming the kinds it does", () => {
    const decoded = decodeRecord("contracts" as RecordKind, { id: 1 })
    assert.isFalse(decoded.ok)
    if (!decoded.ok) {
      assert.strictEqual(decoded.rejection.field, "(kind)")
      assert.include(decoded.rejection.reason, "unknown record kind; known: contract, unit, lot, payment, subject, ref")
    }
  })

  it("decodeRecord tags each kind and passes rejections through", () => {
    const decoded = decodeRecord("contract", rawContract())
    assert.isTrue(decoded.ok)
    if (decoded.ok) assert.strictEqual(decoded.value.kind, "contract")
    const lot = decodeRecord("lot", { id: 1, amount: 5 })
    assert.isTrue(lot.ok && lot.value.kind === "lot")
    const bad = decodeRecord("payment", { id: 1 })
    assert.isFalse(bad.ok)
    if (!bad.ok) assert.strictEqual(bad.rejection.kind, "payment")
  })
})

describe("RecordRejection", () => {
  it("reads as one line naming where, what and why", () => {
    const r = rejection(decodeContract(rawContract({ contract_sum_wnds: "-5" })))
    assert.strictEqual(r.text, 'contract 101 field contract_sum_wnds = "-5": amount must not be negative, got "-5"')
    const located = new RecordRejection({ ...r, source: "contracts.jsonl", line: 12 })
    assert.isTrue(located.text.startsWith("contracts.jsonl:12: contract 101 field contract_sum_wnds"))
  })

  it("shortens long values", () => {
    const long = "x".repeat(500)
    const shown = showValue(long)
    assert.strictEqual(shown.length, 121)
    assert.isTrue(shown.endsWith("…"))
    assert.strictEqual(showValue(undefined), "(missing)")
    assert.strictEqual(showValue(10n as unknown), "10")
    // Not "null", which JSON.stringify would write: the record holds no null.
    assert.strictEqual(showValue(Number.POSITIVE_INFINITY), "Infinity")
    assert.strictEqual(showValue([1, Number.NaN]), "[1,NaN]")
  })

  it("shows a value nested thousands of levels deep, a few levels of it, without overflowing the stack", () => {
    const deep: unknown = JSON.parse(`${"[".repeat(20_000)}${"]".repeat(20_000)}`)
    assert.strictEqual(showValue(deep), `${"[".repeat(9)}…${"]".repeat(9)}`)
    assert.strictEqual(showValue({ a: [1, "x", null], b: { c: true } }), '{"a":[1,"x",null],"b":{"c":true}}')
    assert.strictEqual(showValue(Array.from({ length: 20 }, (_, i) => i)), "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,…]")
  })
})
