/**
 * Wall-clock time of the generated data. OWS timestamps carry no zone and mean Asia/Almaty wall-clock time, and
 * the indicators count calendar days in that zone; so the generator works in wall-clock seconds (a wall time read
 * as if it were UTC) and its day numbers are exactly the Almaty calendar days the engine will compute.
 */
export const SECONDS_PER_DAY = 86_400

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export const dayOfDate = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

export interface CivilDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The date of a day number (Howard Hinnant's civil_from_days). */
export const dateOfDay = (days: number): CivilDate => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day }
}

const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)))

const pad2 = (n: number): string => TWO_DIGITS[n] ?? String(n)

/** Formatted dates by day number: a dataset spans a few thousand days, formatted millions of times. */
const dateTexts = new Map<number, string>()
const DATE_CACHE_LIMIT = 50_000

/** "YYYY-MM-DD" of a day number. */
export const formatDate = (days: number): string => {
  let text = dateTexts.get(days)
  if (text === undefined) {
    const { year, month, day } = dateOfDay(days)
    text = `${year}-${pad2(month)}-${pad2(day)}`
    if (dateTexts.size >= DATE_CACHE_LIMIT) dateTexts.clear()
    dateTexts.set(days, text)
  }
  return text
}

/** "YYYY-MM-DD HH:mm:ss" of a wall-clock time in seconds. */
export const formatWallClock = (wall: number): string => {
  const days = Math.floor(wall / SECONDS_PER_DAY)
  const s = wall - days * SECONDS_PER_DAY
  const minutes = Math.floor(s / 60)
  return `${formatDate(days)} ${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:${pad2(s % 60)}`
}

export const dayOfWall = (wall: number): number => Math.floor(wall / SECONDS_PER_DAY)

export const yearOfWall = (wall: number): number => dateOfDay(dayOfWall(wall)).year

export const wallOf = (days: number, secondOfDay: number): number => days * SECONDS_PER_DAY + secondOfDay
