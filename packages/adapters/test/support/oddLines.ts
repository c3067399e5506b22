/**
 * JSONL lines of every odd shape the OWS decoders meet (escapes, number shapes, duplicates, camelCase, pages, bad
 * JSON), and random contract lines: the inputs of the fast paths' differential tests.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { completeBin } from "@adalqarau/core"
import fc from "fast-check"

export const CUSTOMER = completeBin("00074000130") as string
export const SUPPLIER = completeBin("99014000123") as string

export const contract = (id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  parent_id: null,
  root_id: id,
  ref_contract_status_id: 390,
  ref_contract_type_id: 1,
  ref_contract_year_type_id: 1,
  deleted: 0,
  crdate: "2023-03-14 10:20:30",
  last_update_date: "2023-03-20 10:00:00",
  sign_date: "2023-03-15 09:00:00",
  customer_bin: CUSTOMER,
  supplier_biin: SUPPLIER,
  contract_sum_wnds: 1000000,
  fakt_sum_wnds: null,
  description_ru: "Поставка",
  ...overrides
})

export const j = (value: unknown): string => JSON.stringify(value)

export const ODD_CONTRACTS = [
  j(contract(1)),
  j(contract(2, { description_ru: 'ТОО "Ромашка"\t\\ \u0001 \u2028 ы' })),
  j(contract(3, { contract_sum_wnds: "1234.500" })),
  j(contract(4, { contract_sum_wnds: "12." })),
  j(contract(5, { contract_sum_wnds: 1e3 })),
  '{"id":6,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":1E3,"customer_bin":null}',
  '{"id":7,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":-0}',
  '{"id":8,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":0.001}',
  '{"id":9,"crdate":"2023-03-14 10:20:30","ref_contract_status_id":"390","fin_year":"2023"}',
  '{"id":10,"crdate":"2023-03-14 10:20:30","ref_contract_status_id":" 390 "}',
  '{"id":11,"crdate":"2023-03-14 10:20:30","id":12}',
  '{"id":13,"crdate":"2023-03-14 10:20:30","parentId":1,"rootId":1}',
  '{"id":14,"crdate":"2023-03-14 10:20:30","parent_id":null,"parentId":1}',
  '{"id":"15","crdate":"2023-03-14T10:20:30","deleted":"true"}',
  '{"id":16,"crdate":"2023-03-14 10:20:30+06:00","deleted":true}',
  '{"id":17,"crdate":"2023-03-14 10:20:30","deleted":"yes"}',
  '{"id":18,"crdate":"2023-03-14 10:20:30","deleted":2}',
  '{"id":19,"crdate":"2023-03-14 10:20:30","deleted":1.0}',
  `{"id":20,"crdate":"2023-03-14 10:20:30","customer_bin":${Number(CUSTOMER)}}`,
  `{"id":21,"crdate":"2023-03-14 10:20:30","customer_bin":" ${CUSTOMER}"}`,
  '{"id":22,"crdate":"2023-03-14 10:20:30","customer_bin":"123456789012"}',
  '{"id":23,"crdate":"2023-03-14 10:20:30","extra":{"nested":[1,2]}}',
  '{"id":24,"crdate":"2023-03-14 10:20:30","extra":[]}',
  '{"id":25,"crdate":"2023-03-14 10:20:30","description_ru":true}',
  '{"id":26,"crdate":"2023-03-14 10:20:30","description_ru":12.5e3}',
  '{"id":27,"crdate":"2023-03-14 10:20:30","contract_number":"\\u0041\\"x"}',
  '{"id":28,"crdate":"2023-03-14 10:20:30","contract_number":"bad \\q escape"}',
  '{"id":29,"crdate":"2023-03-14 10:20:30","contract_number":"tab\there"}',
  '{"id":30,"crdate":"2023-03-14\\u0020 10:20:30"}',
  '{"i\\u0064":31,"crdate":"2023-03-14 10:20:30"}',
  '  { "id" : 32 , "crdate" : "2023-03-14 10:20:30" }  ',
  '{"id":33,"crdate":"2023-03-14 10:20:30"} x',
  '{"id":34,"crdate":"2023-03-14 10:20:30",}',
  '{"id":035,"crdate":"2023-03-14 10:20:30"}',
  '{"id":36.0,"crdate":"2023-03-14 10:20:30"}',
  '{"id":0,"crdate":"2023-03-14 10:20:30"}',
  '{"id":-37,"crdate":"2023-03-14 10:20:30"}',
  '{"id":38}',
  '{"id":39,"crdate":null}',
  '{"id":40,"crdate":""}',
  '{"id":41,"crdate":"2023-02-29 10:20:30"}',
  '{"id":42,"crdate":"2024-02-29"}',
  '{"id":43,"crdate":"2023-03-14 24:00:00"}',
  '{"id":44,"crdate":"2023-03-14 10:20:30","sign_date":""}',
  '{"id":45,"crdate":"2023-03-14 10:20:30","fin_year":2023.5}',
  '{"id":46,"crdate":"2023-03-14 10:20:30","fin_year":123456789012345678}',
  '{"id":47,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":123456789012345.67}',
  '{"id":48,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":"99999999999999.99"}',
  '{"id":49,"crdate":"2023-03-14 10:20:30","unknown":nul}',
  '{"id":50,"crdate":"2023-03-14 10:20:30","unknown":tru}',
  // Text no database column can hold (NUL) or no character at all (a lone surrogate): rejected where it is read,
  // kept where the field is not read.
  '{"id":51,"crdate":"2023-03-14 10:20:30","description_ru":"a\\u0000b"}',
  '{"id":52,"crdate":"2023-03-14 10:20:30","contract_number":"\\ud800x"}',
  '{"id":53,"crdate":"2023-03-14 10:20:30","unknown":"a\\u0000b\\udc00"}',
  `{"id":54,"crdate":"2023-03-14 10:20:30","contract_sum_wnds":${"[".repeat(5000)}${"]".repeat(5000)}}`,
  '{"id":55,"crdate":"2023-03-14 10:20:30+99:99"}',
  '{"id":56,"crdate":"2023-03-14 10:20:30","fin_year":9007199254740993}',
  "{}",
  "[]",
  "",
  "   ",
  "\u00a0",
  "not json",
  j({ total: 3, limit: 3, next_page: null, items: [contract(60), contract(61, { crdate: "x" }), 5] }),
  j({ items: [contract(62)] }),
  j({ items: 5, total: 1, ...contract(63) }),
  j(contract(64, { root_id: null, parent_id: 1, sign_date: "2023-04-01 09:00:00", contract_sum_wnds: 2_000_000 })),
  j(contract(1, { last_update_date: "2023-03-01 10:00:00", contract_sum_wnds: 5 })),
  j(contract(65, { last_update_date: null })),
  j(contract(65, { last_update_date: null, contract_sum_wnds: 7 }))
]

export const ODD_UNITS = [
  j({ id: 1, contract_id: 1, lot_id: 1, total_sum: 10 }),
  j({ id: 2, contract_id: 1, lot_id: 2, total_sum: "10.00" }),
  j({ id: 3, contract_id: 1, lot_id: 1 }),
  j({ id: 4, contract_id: 3, lot_id: null }),
  j({ id: 5, contract_id: 3, lotId: 3 }),
  j({ id: 6, contract_id: 5, lot_id: "3" }),
  j({ id: 7, contractId: 64, lot_id: 3 }),
  j({ id: 2, contract_id: 1, lot_id: 3 }),
  j({ id: 8, contract_id: 9, lot_id: 0 })
]

export const ODD_LOTS = [
  j({ id: 1, amount: 700000, last_update_date: "2023-01-01 00:00:00" }),
  j({ id: 2, amount: "800000.00" }),
  j({ id: 3, amount: 2_000_000, customer_bin: CUSTOMER }),
  j({ id: 1, amount: 900000, last_update_date: "2022-01-01 00:00:00" }),
  j({ id: 4, amount: null }),
  j({ id: 5, amount: "1,5" })
]

export const ODD_PAYMENTS = [
  j({ id: 1, contract_id: 1, pay_date: "2023-03-15", pay_amount: 10 }),
  j({ id: 2, contract_id: 64, pay_date: "2023-03-16 23:59:59", pay_amount: "10.5" }),
  j({ id: 3, contract_id: 3, pay_date: "2023-03-16", pay_amount: null }),
  j({ id: 4, contract_id: 3, payDate: "2023-03-16", pay_amount: 1 }),
  j({ id: 1, contract_id: 1, pay_date: "2023-06-15", pay_amount: 10 })
]

export const ODD_SUBJECTS = [
  j({ bin: CUSTOMER, name_ru: "Акимат", kato: "711110000" }),
  j({ bin: SUPPLIER, kato: 751110000 }),
  j({ bin: SUPPLIER, kato: "7" }),
  j({ bin: CUSTOMER, kato: "0011" }),
  j({ bin: CUSTOMER, kato: 99 }),
  j({ bin: CUSTOMER, nameRu: "x", kato: "751110000" }),
  j({ bin: "12", kato: "75" }),
  j({ bin: CUSTOMER, name_ru: "Ак\u0000имат", kato: "711110000" })
]

/** One of the given JSON values (mixed types on purpose). */
export const choice = (...values: ReadonlyArray<unknown>) => fc.constantFrom(...values)

/** Contract lines mixing valid and invalid shapes of every field the decoder reads. */
export const randomContractLine = fc
  .record({
    id: fc.oneof(fc.integer({ min: 1, max: 600 }), choice("7", "0", -3, 2.5, null)),
    parent_id: choice(null, 1, "2", 0, undefined),
    root_id: choice(null, 1, 3, undefined),
    ref_contract_status_id: choice(390, 190, "390", 330, null, true, undefined),
    ref_contract_type_id: choice(1, 2, null),
    ref_contract_year_type_id: choice(1, "1", 2),
    deleted: choice(0, 1, true, false, "0", "1", "", null, "no", undefined),
    crdate: choice("2023-03-14 10:20:30", "2024-02-29", "2023-02-29", "", null, "2023-03-14T10:20:30Z", 5),
    sign_date: choice("2023-03-15 09:00:00", null, "", "2023-13-01", undefined),
    last_update_date: choice("2023-03-20 10:00:00", "2023-03-21 10:00:00", null),
    customer_bin: choice(CUSTOMER, SUPPLIER, null, "", "123456789012", Number(CUSTOMER)),
    supplier_biin: choice(SUPPLIER, CUSTOMER, null, undefined),
    contract_sum_wnds: choice(1000, 1000.5, "1000.50", "1000.505", 0.1, 1e-7, -1, "", null, "x", 12345678901234),
    fakt_sum_wnds: choice(null, 1200, "1300.00"),
    fin_year: choice(2023, "2023", 20.5, null),
    description_ru: choice("Поставка", 'a "quoted" \\ text', "\t", 7, true, null, "")
  })
  .map((fields) => JSON.stringify(fields))

/** A folder of the odd lines, one file per kind: contracts after a byte-order mark, units with CRLF line breaks. */
export const writeOddFolder = async (dir: string): Promise<void> => {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, "contracts.jsonl"), `\uFEFF${ODD_CONTRACTS.join("\n")}`)
  await writeFile(join(dir, "contract_units.jsonl"), ODD_UNITS.join("\r\n"))
  await writeFile(join(dir, "lots.jsonl"), `${ODD_LOTS.join("\n")}\n`)
  await writeFile(join(dir, "treasury_payments.jsonl"), ODD_PAYMENTS.join("\n"))
  await writeFile(join(dir, "subjects.jsonl"), ODD_SUBJECTS.join("\n"))
}
