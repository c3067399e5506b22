import { completeBin } from "../../domain/Bin.ts"
import { REGIONS, type RegionCode } from "../../domain/Region.ts"
import { type Prng, WeightedTable } from "./prng.ts"

/**
 * Customers and suppliers. Every subject is a function of its role and index: its BIN and id need no lookup
 * table, which keeps the generator's memory independent of the number of subjects. The roles draw BINs from
 * disjoint spaces, so a planted subject can never be picked by the background.
 */
export type SubjectRole = "customer" | "supplier" | "planted-customer" | "planted-supplier"

export interface SubjectRef {
  readonly id: number
  readonly bin: string
}

/** The 6th BIN digit ("attribute") pairs of each role: of two consecutive digits at least one admits a check digit. */
const ROLE_DIGITS: Readonly<Record<SubjectRole, readonly [number, number]>> = {
  customer: [0, 1],
  supplier: [2, 3],
  "planted-customer": [4, 5],
  "planted-supplier": [6, 7]
}

const ID_BASE: Readonly<Record<SubjectRole, number>> = {
  customer: 1_000_000,
  supplier: 20_000_000,
  "planted-customer": 60_000_000,
  "planted-supplier": 70_000_000
}

const MAX_INDEX = 120_000_000

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

const firstValid = (candidates: ReadonlyArray<string>): string => {
  for (const first11 of candidates) {
    const bin = completeBin(first11)
    if (bin !== undefined) return bin
  }
  throw new Error(`no valid BIN among ${candidates.join(", ")}`)
}

/**
 * A legal entity's BIN: registration year and month, "4" (resident legal entity), the role digit, a 5-digit serial.
 * The role digit is not part of the index encoding, so trying the second digit keeps BINs distinct.
 */
const legalEntityBin = (role: SubjectRole, index: number): string => {
  const serial = index % 100_000
  const rest = Math.floor(index / 100_000)
  const stem = `${pad(Math.floor(rest / 12), 2)}${pad((rest % 12) + 1, 2)}4`
  const [d0, d1] = ROLE_DIGITS[role]
  return firstValid([`${stem}${d0}${pad(serial, 5)}`, `${stem}${d1}${pad(serial, 5)}`])
}

/**
 * An individual entrepreneur's IIN: birth date, century-and-sex digit (3 or 4), 4-digit serial. Its 5th digit is a
 * day's tens digit (0–2), never the "4" of a legal entity, so IINs and BINs never meet.
 */
const individualIin = (index: number): string => {
  const q = Math.floor(index / 5)
  const serial = q % 10_000
  const r = Math.floor(q / 10_000)
  const date = `${pad(60 + Math.floor(r / (28 * 12)), 2)}${pad((Math.floor(r / 28) % 12) + 1, 2)}${pad((r % 28) + 1, 2)}`
  return firstValid([`${date}3${pad(serial, 4)}`, `${date}4${pad(serial, 4)}`])
}

const isIndividual = (role: SubjectRole, index: number): boolean => role === "supplier" && index % 5 === 4

export const subjectRef = (role: SubjectRole, index: number): SubjectRef => {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_INDEX) {
    throw new RangeError(`subject index ${index} is outside 0..${MAX_INDEX - 1}`)
  }
  return {
    id: ID_BASE[role] + index,
    bin: isIndividual(role, index) ? individualIin(index) : legalEntityBin(role, index)
  }
}

/** Rough population weights: procurement volume follows people, so Almaty, Turkistan and Astana lead. */
const REGION_WEIGHTS: Readonly<Record<RegionCode, number>> = {
  "10": 60,
  "11": 79,
  "15": 92,
  "19": 149,
  "23": 69,
  "27": 69,
  "31": 121,
  "33": 69,
  "35": 113,
  "39": 83,
  "43": 83,
  "47": 77,
  "55": 75,
  "59": 53,
  "61": 213,
  "62": 22,
  "63": 73,
  "71": 142,
  "75": 223,
  "79": 122
}

const WEIGHTED_REGIONS = new WeightedTable<number>(REGIONS.map((r, i) => [i, REGION_WEIGHTS[r.code]]))

/** The index (into REGIONS) of a region drawn by population. */
export const drawRegionIndex = (prng: Prng): number => WEIGHTED_REGIONS.draw(prng)

export const regionCodeAt = (regionIndex: number): RegionCode => (REGIONS[regionIndex] ?? REGIONS[0]).code

/** A 9-digit KATO code inside the region: region, district, locality, "000". */
const drawKato = (prng: Prng, region: RegionCode): string =>
  `${region}${pad(prng.int(10, 60), 2)}${pad(prng.int(1, 99) * 10, 3)}${"0".repeat(2)}`

const CUSTOMER_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['ГУ "Аппарат акима района', '"Аудан әкімінің аппараты" ММ'],
  ['КГУ "Общеобразовательная школа', '"Жалпы білім беретін мектеп" КММ'],
  ['ГККП "Ясли-сад', '"Бөбекжай-балабақша" МКҚК'],
  ['РГУ "Департамент государственных доходов', '"Мемлекеттік кірістер департаменті" РММ'],
  ['КГП на ПХВ "Городская поликлиника', '"Қалалық емхана" ШЖҚ КМК'],
  ['ГУ "Отдел жилищно-коммунального хозяйства', '"Тұрғын үй-коммуналдық шаруашылық бөлімі" ММ']
]

const SUPPLIER_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['ТОО "Стройсервис', '"Стройсервис" ЖШС'],
  ['ТОО "Казахстан Снаб', '"Қазақстан Снаб" ЖШС'],
  ['ТОО "Техно Трейд', '"Техно Трейд" ЖШС'],
  ['ТОО "Асыл Курылыс', '"Асыл Құрылыс" ЖШС'],
  ['АО "Медтехника', '"Медтехника" АҚ'],
  ['ТОО "Дала Азык', '"Дала Азық" ЖШС']
]

export interface SubjectSpec {
  readonly ref: SubjectRef
  readonly role: SubjectRole
  readonly index: number
  readonly region: RegionCode
  readonly kato: string | null
  readonly nameRu: string
  readonly nameKz: string
}

/** Draws the descriptive fields of a subject; a few have no KATO code, as in the real register. */
export const makeSubject = (prng: Prng, role: SubjectRole, index: number, region: RegionCode): SubjectSpec => {
  const ref = subjectRef(role, index)
  const isCustomer = role === "customer" || role === "planted-customer"
  const individual = isIndividual(role, index)
  const [ru, kz] = prng.pick(isCustomer ? CUSTOMER_NAMES : SUPPLIER_NAMES)
  return {
    ref,
    role,
    index,
    region,
    kato: prng.chance(0.02) ? null : drawKato(prng, region),
    nameRu: individual ? `ИП "Предприниматель ${index}"` : `${ru} №${index}"`,
    nameKz: individual ? `"Кәсіпкер ${index}" ЖК` : `${kz} №${index}`
  }
}

/** The raw `/v3/subject` record of a subject. */
export const renderSubject = (s: SubjectSpec): Record<string, unknown> => {
  const isCustomer = s.role === "customer" || s.role === "planted-customer"
  const individual = isIndividual(s.role, s.index)
  return {
    pid: s.ref.id,
    bin: s.ref.bin,
    iin: individual ? s.ref.bin : null,
    name_ru: s.nameRu,
    name_kz: s.nameKz,
    kato: s.kato,
    is_customer: isCustomer ? 1 : 0,
    is_organizer: isCustomer ? 1 : 0,
    is_supplier: isCustomer ? 0 : 1,
    type_supplier: individual ? 2 : 1
  }
}
