import { Schema } from "effect"

/**
 * The 20 first-level administrative units of Kazakhstan (17 oblasts and 3 cities of republican significance),
 * keyed by the two leading digits of their KATO code. Abai, Zhetisu and Ulytau were created in 2022.
 */
export const REGIONS = [
  { code: "10", ru: "Абайская область", kk: "Абай облысы", en: "Abai Region" },
  { code: "11", ru: "Акмолинская область", kk: "Ақмола облысы", en: "Akmola Region" },
  { code: "15", ru: "Актюбинская область", kk: "Ақтөбе облысы", en: "Aktobe Region" },
  { code: "19", ru: "Алматинская область", kk: "Алматы облысы", en: "Almaty Region" },
  { code: "23", ru: "Атырауская область", kk: "Атырау облысы", en: "Atyrau Region" },
  { code: "27", ru: "Западно-Казахстанская область", kk: "Батыс Қазақстан облысы", en: "West Kazakhstan Region" },
  { code: "31", ru: "Жамбылская область", kk: "Жамбыл облысы", en: "Jambyl Region" },
  { code: "33", ru: "Жетысуская область", kk: "Жетісу облысы", en: "Jetisu Region" },
  { code: "35", ru: "Карагандинская область", kk: "Қарағанды облысы", en: "Karaganda Region" },
  { code: "39", ru: "Костанайская область", kk: "Қостанай облысы", en: "Kostanay Region" },
  { code: "43", ru: "Кызылординская область", kk: "Қызылорда облысы", en: "Kyzylorda Region" },
  { code: "47", ru: "Мангистауская область", kk: "Маңғыстау облысы", en: "Mangystau Region" },
  { code: "55", ru: "Павлодарская область", kk: "Павлодар облысы", en: "Pavlodar Region" },
  { code: "59", ru: "Северо-Казахстанская область", kk: "Солтүстік Қазақстан облысы", en: "North Kazakhstan Region" },
  { code: "61", ru: "Туркестанская область", kk: "Түркістан облысы", en: "Turkistan Region" },
  { code: "62", ru: "Улытауская область", kk: "Ұлытау облысы", en: "Ulytau Region" },
  { code: "63", ru: "Восточно-Казахстанская область", kk: "Шығыс Қазақстан облысы", en: "East Kazakhstan Region" },
  { code: "71", ru: "г. Астана", kk: "Астана қ.", en: "Astana" },
  { code: "75", ru: "г. Алматы", kk: "Алматы қ.", en: "Almaty" },
  { code: "79", ru: "г. Шымкент", kk: "Шымкент қ.", en: "Shymkent" }
] as const

export type RegionInfo = (typeof REGIONS)[number]
export type RegionCode = RegionInfo["code"]

export const REGION_CODES: ReadonlyArray<RegionCode> = REGIONS.map((r) => r.code)

export const RegionCode = Schema.Literals(REGION_CODES as ReadonlyArray<RegionCode>).annotate({
  description: "Two leading digits of the KATO code of one of Kazakhstan's 20 regions"
})

const BY_CODE: ReadonlyMap<string, RegionInfo> = new Map(REGIONS.map((r) => [r.code, r]))

export const regionInfo = (code: RegionCode): RegionInfo => BY_CODE.get(code) as RegionInfo

/** A KATO code: 9 digits (older extracts sometimes give fewer; the region is always the first two). */
export const Kato = Schema.String.check(
  Schema.isPattern(/^\d{2,9}$/u, { message: "KATO code must be 2 to 9 digits" })
).pipe(Schema.brand("Kato"))
export type Kato = typeof Kato.Type

/** The region a KATO code belongs to, or `undefined` when its prefix is no current region. */
export const regionOfKato = (kato: string): RegionCode | undefined => {
  const prefix = kato.slice(0, 2)
  return BY_CODE.has(prefix) ? (prefix as RegionCode) : undefined
}
