/** Growth of the typed-array columns the dataset keeps (doubling, so appends stay amortised O(1)). */
export const grownF64 = (column: Float64Array, capacity: number): Float64Array => {
  const next = new Float64Array(capacity)
  next.set(column)
  return next
}

export const grownI32 = (column: Int32Array, capacity: number): Int32Array => {
  const next = new Int32Array(capacity)
  next.set(column)
  return next
}

export const grownU8 = (column: Uint8Array, capacity: number): Uint8Array => {
  const next = new Uint8Array(capacity)
  next.set(column)
  return next
}

export const grownI8 = (column: Int8Array, capacity: number): Int8Array => {
  const next = new Int8Array(capacity)
  next.set(column)
  return next
}

/** `null` as the columns store it: NaN in a Float64Array (every stored number is an integer). */
export const orNaN = (value: number | null): number => (value === null ? Number.NaN : value)

/** Back from the column form: NaN is `null`. */
export const nullIfNaN = (value: number): number | null => (Number.isNaN(value) ? null : value)
