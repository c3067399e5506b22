import { Schema } from "effect"
import { almatyDay, formatAlmaty } from "../domain/AlmatyTime.ts"
import type { Contract } from "../domain/Contract.ts"
import type { ContractChain } from "../domain/ContractChain.ts"
import { formatFraction, fraction } from "../domain/Decimal.ts"
import { ContractId } from "../domain/Ids.ts"
import { formatTenge } from "../domain/Money.ts"

/** How a field of a contract is compared and shown. */
type FieldKind = "money" | "date" | "id" | "text" | "flag"

/** The fields a diff compares, with their OWS names (what analysts know them by). */
const DIFF_FIELDS: ReadonlyArray<readonly [keyof Contract, string, FieldKind]> = [
  ["contractSumWnds", "contract_sum_wnds", "money"],
  ["contractSum", "contract_sum", "money"],
  ["faktSumWnds", "fakt_sum_wnds", "money"],
  ["faktSum", "fakt_sum", "money"],
  ["signDate", "sign_date", "date"],
  ["ecEndDate", "ec_end_date", "date"],
  ["planExecDate", "plan_exec_date", "date"],
  ["faktExecDate", "fakt_exec_date", "date"],
  ["contractEndDate", "contract_end_date", "date"],
  ["statusId", "ref_contract_status_id", "id"],
  ["typeId", "ref_contract_type_id", "id"],
  ["yearTypeId", "ref_contract_year_type_id", "id"],
  ["subjectTypeId", "ref_subject_type_id", "id"],
  ["cancelId", "ref_contract_cancel_id", "id"],
  ["customerBin", "customer_bin", "text"],
  ["supplierBin", "supplier_biin", "text"],
  ["contractNumber", "contract_number", "text"],
  ["finYear", "fin_year", "id"],
  ["currencyCode", "ref_currency_code", "text"],
  ["descriptionRu", "description_ru", "text"],
  ["deleted", "deleted", "flag"]
]

export const FieldChange = Schema.Struct({
  field: Schema.String,
  kind: Schema.Literals(["money", "date", "id", "text", "flag"]),
  /** Values as display text: tenge with 2 decimals, Almaty timestamps with offset, or the raw text; null when absent. */
  from: Schema.NullOr(Schema.String),
  to: Schema.NullOr(Schema.String),
  /** For money: to − from in tenge, and the change in percent of `from` (absent when `from` is 0 or either is missing). */
  delta: Schema.optional(Schema.String),
  deltaPct: Schema.optional(Schema.String),
  /** For dates: the shift in calendar days (Asia/Almaty). */
  dayShift: Schema.optional(Schema.Int)
})
export type FieldChange = typeof FieldChange.Type

export const VersionDiff = Schema.Struct({
  fromId: ContractId,
  toId: ContractId,
  changes: Schema.Array(FieldChange)
})
export type VersionDiff = typeof VersionDiff.Type

export const ChainDiff = Schema.Struct({
  rootId: ContractId,
  /** Consecutive versions in chain order, deleted versions left out. */
  steps: Schema.Array(VersionDiff),
  /** First against last version that is not deleted (absent when fewer than two are left). */
  overall: Schema.NullOr(VersionDiff)
})
export type ChainDiff = typeof ChainDiff.Type

const show = (kind: FieldKind, value: unknown): string | null => {
  if (value === null || value === undefined) return null
  switch (kind) {
    case "money":
      return formatTenge(value as number)
    case "date":
      return formatAlmaty(value as number)
    default:
      return String(value)
  }
}

/** Field-level differences between two versions of a contract. */
export const diffVersions = (from: Contract, to: Contract): VersionDiff => {
  const changes: Array<FieldChange> = []
  for (const [key, field, kind] of DIFF_FIELDS) {
    const a = from[key]
    const b = to[key]
    if (a === b) continue
    const change: { -readonly [K in keyof FieldChange]: FieldChange[K] } = {
      field,
      kind,
      from: show(kind, a),
      to: show(kind, b)
    }
    if (kind === "money" && typeof a === "number" && typeof b === "number") {
      change.delta = formatTenge(b - a)
      if (a !== 0) change.deltaPct = formatFraction(fraction((BigInt(b) - BigInt(a)) * 100n, BigInt(a)))
    }
    if (kind === "date" && typeof a === "number" && typeof b === "number") change.dayShift = almatyDay(b) - almatyDay(a)
    changes.push(change)
  }
  return { fromId: from.id, toId: to.id, changes }
}

/** Diffs each consecutive pair of a chain's versions, and the first against the last. */
export const diffChain = (chain: ContractChain): ChainDiff => {
  // A deleted version is no state the contract was ever in: sum-growth leaves it out of first and last, and so do
  // the steps here, or the overall change would contradict the indicator.
  const versions = chain.versions.filter((version) => !version.deleted)
  const steps: Array<VersionDiff> = []
  for (let i = 1; i < versions.length; i++)
    steps.push(diffVersions(versions[i - 1] as Contract, versions[i] as Contract))
  const overall =
    versions.length >= 2 ? diffVersions(versions[0] as Contract, versions[versions.length - 1] as Contract) : null
  return { rootId: chain.rootId, steps, overall }
}
