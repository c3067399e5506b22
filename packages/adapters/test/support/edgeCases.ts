/**
 * Hand-made raw OWS records for the corners the generator does not aim at: the Asia/Almaty offset change on
 * 2024-03-01, chains found only through parent lines (a missing parent, a cycle), roots that are not roots,
 * unknown KATO prefixes, zero plans, negative measures, payments on a chain key whose root is missing, exact
 * threshold boundaries, and texts full of quotes and backslashes.
 */
import { completeBin } from "@adalqarau/core"
import type { RawRecord } from "./engines.ts"

/** A valid BIN from a small seed (distinct seeds, distinct BINs). */
export const binOf = (seed: number): string => {
  for (let j = 0; j < 10; j++) {
    const bin = completeBin(String(seed * 10 + j).padStart(11, "0"))
    if (bin !== undefined) return bin
  }
  throw new Error(`no BIN for seed ${seed}`)
}

export const C1 = binOf(101)
export const C2 = binOf(102)
export const C3 = binOf(103)
export const S1 = binOf(201)
export const S2 = binOf(202)
export const S3 = binOf(203)

interface ContractSpec {
  readonly id: number
  readonly parent?: number | null
  readonly root?: number | null
  readonly status?: number | null
  readonly type?: number | null
  readonly yearType?: number | null
  readonly deleted?: boolean
  readonly crdate?: string
  readonly sign?: string | null
  readonly updated?: string | null
  readonly customer?: string | null
  readonly supplier?: string | null
  readonly sum?: string | null
  readonly fakt?: string | null
  readonly finYear?: number | null
  readonly description?: string | null
}

export const contract = (s: ContractSpec): RawRecord => ({
  kind: "contract",
  raw: {
    id: s.id,
    parent_id: s.parent ?? null,
    root_id: s.root ?? null,
    ref_contract_status_id: s.status === undefined ? 190 : s.status,
    ref_contract_type_id: s.type === undefined ? 1 : s.type,
    ref_contract_year_type_id: s.yearType === undefined ? 1 : s.yearType,
    ref_subject_type_id: 1,
    deleted: s.deleted ?? false,
    crdate: s.crdate ?? "2023-05-10 10:00:00",
    last_update_date: s.updated ?? null,
    sign_date: s.sign === undefined ? "2023-05-10 12:00:00" : s.sign,
    customer_bin: s.customer === undefined ? C1 : s.customer,
    supplier_biin: s.supplier === undefined ? S1 : s.supplier,
    contract_number: `№ ${s.id}`,
    contract_number_sys: `SYS-${s.id}`,
    fin_year: s.finYear === undefined ? 2023 : s.finYear,
    ref_currency_code: "KZT",
    contract_sum: s.sum === undefined ? "1000.00" : s.sum,
    contract_sum_wnds: s.sum === undefined ? "1000.00" : s.sum,
    fakt_sum: s.fakt ?? null,
    fakt_sum_wnds: s.fakt ?? null,
    description_ru: s.description ?? null
  }
})

export const unit = (id: number, contractId: number, lotId: number | null): RawRecord => ({
  kind: "unit",
  raw: { id, contract_id: contractId, lot_id: lotId, pln_point_id: null, total_sum: null }
})

export const lot = (id: number, amount: string, updated: string | null = null): RawRecord => ({
  kind: "lot",
  raw: { id, trd_buy_id: null, amount, customer_bin: null, last_update_date: updated }
})

export const payment = (id: number, contractId: number, payDate: string): RawRecord => ({
  kind: "payment",
  raw: { id, contract_id: contractId, pay_date: payDate, pay_amount: "1.00", prepay_sum: null }
})

export const subject = (bin: string, kato: string | null, name: string | null = null): RawRecord => ({
  kind: "subject",
  raw: { bin, name_ru: name, name_kz: null, kato }
})

/** A root of 1,000 tenge with `lots` units, each on its own lot of the largest amount the decoder accepts. */
const hugePlan = (id: number, lots: number): ReadonlyArray<RawRecord> => [
  contract({ id, sum: "1000.00" }),
  ...Array.from({ length: lots }, (_, k) => [
    unit(id * 100 + k, id, id * 100 + 50 + k),
    lot(id * 100 + 50 + k, "9999999999999.99")
  ]).flat()
]

/** A root with one unit on one lot of amount `plan` (ids derived from the contract id). */
const planned = (spec: ContractSpec, plan: string): ReadonlyArray<RawRecord> => [
  contract(spec),
  unit(spec.id * 10 + 1, spec.id, spec.id * 10 + 2),
  lot(spec.id * 10 + 2, plan)
]

export const edgeCaseRecords = (): ReadonlyArray<RawRecord> => [
  subject(C1, "711110000", 'ТОО "Кавычки" \\ обратная косая'),
  subject(C2, "999999999"), // no region has prefix 99
  subject(S1, "751110000"),
  subject(S2, null),
  // Reduction exactly 30 % (not super-dumping) and just above; exactly 1 % (minimal) and just above; negative.
  ...planned({ id: 1001, sum: "700.00" }, "1000.00"),
  ...planned({ id: 1002, sum: "699.99" }, "1000.00"),
  ...planned({ id: 1003, sum: "990.00" }, "1000.00"),
  ...planned({ id: 1004, sum: "989.99" }, "1000.00"),
  ...planned({ id: 1005, sum: "1000.01" }, "1000.00"),
  // Repeating decimals: (3 - 2) × 100 / 3 = 33.3333…; rounding half away from zero at the 5th decimal.
  ...planned({ id: 1006, sum: "0.02" }, "0.03"),
  ...planned({ id: 1007, sum: "0.01" }, "160.00"),
  // Plan of zero (not positive), plan through two units on one lot, and through a missing lot.
  ...planned({ id: 1008, sum: "5.00" }, "0.00"),
  contract({ id: 1009, sum: "100.00" }),
  unit(10091, 1009, 10093),
  unit(10092, 1009, 10093),
  unit(10094, 1009, 10095),
  lot(10093, "60.00"),
  lot(10095, "100.00", "2023-01-01 00:00:00"),
  lot(10095, "400.00", "2022-01-01 00:00:00"), // older row: ignored
  contract({ id: 1010, sum: "100.00" }),
  unit(10101, 1010, 10102),
  // Ten lots of 9,999,999,999,999.99 tenge sum past 2^53 − 1 tiyn (skipped, beyond the exact range); nine stay
  // below it (8,999,999,999,999,991 tiyn) and are evaluated exactly.
  ...hugePlan(1011, 10),
  ...hugePlan(1012, 9),
  // Created just before the offset change (UTC+6 → UTC+5 at 2024-03-01 00:00 local), paid 4 and 5 days later.
  contract({ id: 2001, crdate: "2024-02-29 23:30:00", sign: "2024-03-01 10:00:00", customer: C2 }),
  payment(20011, 2001, "2024-03-04 23:59:59"),
  contract({ id: 2002, crdate: "2024-02-29 23:30:00", sign: null, customer: C3 }),
  payment(20021, 2002, "2024-03-05 00:00:00"),
  // Paid before it was created (negative days), on a deleted amendment.
  contract({ id: 2003, crdate: "2023-06-10 09:00:00" }),
  contract({ id: 2004, parent: 2003, root: 2003, deleted: true, crdate: "2023-06-01 09:00:00" }),
  payment(20041, 2004, "2023-06-08 18:00:00"),
  // Status 340 passes the common filter but not accelerated payment's own.
  contract({ id: 2005, status: 340, crdate: "2023-07-01 09:00:00" }),
  payment(20051, 2005, "2023-07-02 09:00:00"),
  // Sum growth: versions out of sign-date order, an unsigned one last, a deleted one ignored, negative fakt growth.
  contract({ id: 3001, sum: "1000.00", fakt: "200.00", sign: "2023-01-10 10:00:00" }),
  contract({ id: 3002, parent: 3001, root: 3001, sum: "1100.00", fakt: "300.00", sign: "2023-03-10 10:00:00" }),
  contract({ id: 3003, parent: 3002, root: 3001, sum: "1500.50", fakt: "189.00", sign: null }),
  contract({ id: 3004, parent: 3001, root: 3001, sum: "9000.00", deleted: true, sign: "2023-02-10 10:00:00" }),
  contract({ id: 3005, parent: 3002, root: 3001, sum: "1200.00", fakt: "250.00", sign: "2023-02-01 10:00:00" }),
  // An unsigned root comes first all the same: its amendment is the last version (+50 %), not the first.
  contract({ id: 3201, sum: "1000.00", sign: null }),
  contract({ id: 3202, parent: 3201, root: 3201, sum: "1500.00", sign: "2023-04-01 10:00:00" }),
  // Growth exactly at the threshold (20 %): not flagged.
  contract({ id: 3101, sum: "1000.00" }),
  contract({ id: 3102, parent: 3101, root: 3101, sum: "1200.00", sign: "2023-06-01 10:00:00" }),
  // A chain known only through parent lines: amendments without root ids, one of them naming a missing parent.
  contract({ id: 4001, sum: "500.00" }),
  contract({ id: 4002, parent: 4001, root: null, sum: "800.00", sign: "2023-08-01 10:00:00" }),
  contract({ id: 4003, parent: 4002, root: null, sum: "900.00", sign: "2023-09-01 10:00:00" }),
  contract({ id: 4004, parent: 4999, root: null, sum: "900.00", sign: "2023-09-01 10:00:00" }),
  contract({ id: 4005, parent: 4004, root: null, sum: "900.00", sign: "2023-09-02 10:00:00" }),
  // A parent cycle (4101 ↔ 4102): the walk stops after its step limit.
  contract({ id: 4101, parent: 4102, root: null }),
  contract({ id: 4102, parent: 4101, root: null }),
  // root_id equal to its own id (a root), and root_id equal to its own id with a parent (not a root).
  contract({ id: 4201, root: 4201, sum: "100.00" }),
  contract({ id: 4202, parent: 4201, root: 4201, sum: "130.00", sign: "2023-07-01 10:00:00" }),
  contract({ id: 4301, parent: 4300, root: 4301 }),
  contract({ id: 4302, parent: 4301, root: 4301, sum: "3000.00" }),
  // Amendments whose root is missing; a payment booked on that chain key.
  contract({ id: 4402, parent: 4401, root: 4401 }),
  payment(44011, 4401, "2023-05-11 10:00:00"),
  // Roots left out by each common filter.
  contract({ id: 5001, deleted: true }),
  contract({ id: 5002, type: 2 }),
  contract({ id: 5003, yearType: 2 }),
  contract({ id: 5004, status: 330 }),
  contract({ id: 5005, customer: null }),
  contract({ id: 5006, supplier: null }),
  contract({ id: 5007, sum: "0.00" }),
  contract({ id: 5008, sum: null }),
  contract({ id: 5009, status: null, type: null, yearType: null }),
  // The same version twice with an equal last_update_date: the later row wins; fin_year differs (partition).
  contract({ id: 6001, updated: "2023-05-11 10:00:00", sum: "100.00", finYear: 2023 }),
  contract({ id: 6001, updated: "2023-05-11 10:00:00", sum: "120.00", finYear: 2024 }),
  contract({
    id: 6002,
    updated: "2023-05-12 10:00:00",
    sum: "100.00",
    finYear: null,
    description: "«ёлка» 'single' \"double\" \\ end"
  }),
  // Partnership: C3 buys 5 of its 6 contracts from S3, S3 sells 5 of 6 to C3 (0.8333 > 0.8): flagged.
  ...[7001, 7002, 7003, 7004, 7005].map((id, i) =>
    contract({ id, customer: C3, supplier: S3, sign: `2023-0${i + 1}-15 10:00:00` })
  ),
  contract({ id: 7006, customer: C2, supplier: S3 }),
  // Near miss: C2 and S2, 5 contracts but S2 sells 5 of 7 to C2 (0.7143 < 0.8).
  ...[7101, 7102, 7103, 7104, 7105].map((id) => contract({ id, customer: C2, supplier: S2 })),
  contract({ id: 7106, customer: C1, supplier: S2 }),
  contract({ id: 7107, customer: C3, supplier: S2, crdate: "2023-01-01 00:00:00", sign: null }),
  // Bad records: rejected with their reason, the rest kept.
  { kind: "contract", raw: { id: 8001, crdate: "not a date", contract_sum_wnds: "1.00" } },
  { kind: "contract", raw: { id: 8002, crdate: "2023-01-01", customer_bin: "123456789012" } },
  { kind: "lot", raw: { id: 8003, amount: "-5" } },
  { kind: "payment", raw: { id: 8004, contract_id: 1001, pay_date: "2023-02-30", pay_amount: "1" } },
  { kind: "subject", raw: { bin: "'; DROP TABLE contract; --", kato: "71" } },
  { kind: "unit", raw: "not an object" },
  // A NUL no text column can hold: rejected at decoding, not a failed batch.
  { kind: "contract", raw: { id: 8005, crdate: "2023-01-01", description_ru: "a\u0000b" } }
]

/** How many of edgeCaseRecords are rejected by decoding. */
export const EDGE_CASE_REJECTS = 7
