/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 and so the order of PostgreSQL's
 * `COLLATE "C"` the SQL stores sort keys by. JavaScript's `<` compares UTF-16 code units instead, which puts
 * characters beyond U+FFFF (stored as surrogates, 0xD800–0xDFFF) before U+E000–U+FFFF.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// Surrogates move above U+E000–U+FFFF and those down by as much: the units then compare as their code points do.
const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit
