import { type DatasetBuilder, emptyContractRow, type RecordKind, type RegionCode, regionOfKato } from "@adalqarau/core"
import { CONTRACT, KIND_SPECS } from "./kinds.ts"

/** Region of each two-digit KATO prefix (0–99), worked out once. */
const REGION_OF_PREFIX: ReadonlyArray<RegionCode | null> = Array.from(
  { length: 100 },
  (_, prefix) => regionOfKato(String(prefix).padStart(2, "0")) ?? null
)

const binId = (builder: DatasetBuilder, code: number): number => (Number.isNaN(code) ? -1 : builder.binIdOfCode(code))

/**
 * Hands rows `from .. to` of a range's result to the builder, by kind: the same facts `DatasetBuilder.add` takes
 * from decoded records, in column form (see `kinds.ts` for each kind's slots).
 */
export const rowApplier = (builder: DatasetBuilder) => {
  const row = emptyContractRow()
  return (kind: RecordKind, rows: Float64Array, from: number, to: number): void => {
    const stride = KIND_SPECS[kind].slots
    switch (kind) {
      case "contract":
        for (let r = from; r < to; r++) {
          const o = r * stride
          row.id = rows[o + CONTRACT.id] as number
          row.parentId = rows[o + CONTRACT.parentId] as number
          row.rootId = rows[o + CONTRACT.rootId] as number
          row.statusId = rows[o + CONTRACT.statusId] as number
          row.typeId = rows[o + CONTRACT.typeId] as number
          row.yearTypeId = rows[o + CONTRACT.yearTypeId] as number
          row.deleted = rows[o + CONTRACT.deleted] === 1
          row.crdate = rows[o + CONTRACT.crdate] as number
          row.signDate = rows[o + CONTRACT.signDate] as number
          row.lastUpdateDate = rows[o + CONTRACT.lastUpdateDate] as number
          row.customerBin = binId(builder, rows[o + CONTRACT.customerBin] as number)
          row.supplierBin = binId(builder, rows[o + CONTRACT.supplierBin] as number)
          row.sumWnds = rows[o + CONTRACT.sumWnds] as number
          row.faktSumWnds = rows[o + CONTRACT.faktSumWnds] as number
          row.finYear = rows[o + CONTRACT.finYear] as number
          builder.addContractRow(row)
        }
        return
      case "unit":
        for (let r = from; r < to; r++) {
          const o = r * stride
          builder.addUnitRow(rows[o] as number, rows[o + 1] as number, rows[o + 2] as number)
        }
        return
      case "lot":
        for (let r = from; r < to; r++) {
          const o = r * stride
          builder.addLotRow(rows[o] as number, rows[o + 1] as number, rows[o + 2] as number)
        }
        return
      case "payment":
        for (let r = from; r < to; r++) {
          const o = r * stride
          builder.addPaymentRow(rows[o] as number, rows[o + 1] as number, rows[o + 2] as number)
        }
        return
      case "subject":
        for (let r = from; r < to; r++) {
          const o = r * stride
          const prefix = rows[o + 1] as number
          builder.addSubjectRow(
            builder.binIdOfCode(rows[o] as number),
            Number.isNaN(prefix) ? null : (REGION_OF_PREFIX[prefix] ?? null)
          )
        }
        return
      case "ref":
        return
    }
  }
}
