/**
 * Wall-clock time of the generated data. OWS timestamps carry no zone and mean Asia/Almaty wall-clock time, and
 * the indicators count calendar days in that zone; so the generator works in wall-clock seconds (a wall time read
 * as if it were UTC) and its day numbers are exactly the Almaty calendar days the engine will compute.
 */
import { dateOfDay } from "../../domain/CivilDays.ts"

export const SECONDS_PER_DAY = 86_400

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
