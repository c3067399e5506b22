/**
 * Reference-book ids the generated data uses, and the `/v3/refs/*` entries that name them. The ids follow what
 * third parties report for goszakup and what the default filters expect (indicators/Filters.ts and
 * acceleratedPayment.ts); the generator is built for those defaults, and its tests check the two agree.
 */
export const STATUS = {
  draft: 110,
  active: 190,
  notConcluded: 330,
  terminatedByAgreement: 340,
  terminatedUnilaterally: 350,
  partlyExecuted: 375,
  executed: 390,
  amended: 450
} as const

export const CONTRACT_TYPE = { main: 1, amendment: 2, framework: 3 } as const

export const YEAR_TYPE = { oneYear: 1, multiYear: 2 } as const

export const SUBJECT_TYPE = { goods: 1, works: 2, services: 3 } as const

interface RefEntry {
  readonly book: string
  readonly id: number
  readonly code: string | null
  readonly ru: string
  readonly kz: string | null
}

const ENTRIES: ReadonlyArray<RefEntry> = [
  { book: "ref_contract_status", id: STATUS.draft, code: "DRAFT", ru: "Проект", kz: "Жоба" },
  { book: "ref_contract_status", id: STATUS.active, code: "ACTIVE", ru: "Действует", kz: "Қолданыста" },
  { book: "ref_contract_status", id: STATUS.notConcluded, code: "NOT_CONCLUDED", ru: "Не заключен", kz: "Жасалмады" },
  {
    book: "ref_contract_status",
    id: STATUS.terminatedByAgreement,
    code: "TERMINATED",
    ru: "Расторгнут по соглашению сторон",
    kz: "Тараптардың келісімі бойынша бұзылды"
  },
  {
    book: "ref_contract_status",
    id: STATUS.terminatedUnilaterally,
    code: "TERMINATED_UNILATERAL",
    ru: "Расторгнут в одностороннем порядке",
    kz: "Біржақты тәртіппен бұзылды"
  },
  {
    book: "ref_contract_status",
    id: STATUS.partlyExecuted,
    code: "PARTLY_EXECUTED",
    ru: "Частично исполнен",
    kz: "Ішінара орындалды"
  },
  { book: "ref_contract_status", id: STATUS.executed, code: "EXECUTED", ru: "Исполнен", kz: "Орындалды" },
  {
    book: "ref_contract_status",
    id: STATUS.amended,
    code: "AMENDED",
    ru: "Создано доп. соглашение",
    kz: "Қосымша келісім жасалды"
  },
  { book: "ref_contract_type", id: CONTRACT_TYPE.main, code: "1", ru: "Основной договор", kz: "Негізгі шарт" },
  {
    book: "ref_contract_type",
    id: CONTRACT_TYPE.amendment,
    code: "2",
    ru: "Дополнительное соглашение",
    kz: "Қосымша келісім"
  },
  { book: "ref_contract_type", id: CONTRACT_TYPE.framework, code: "3", ru: "Рамочное соглашение", kz: null },
  { book: "ref_contract_year_type", id: YEAR_TYPE.oneYear, code: null, ru: "Однолетний", kz: "Бір жылдық" },
  { book: "ref_contract_year_type", id: YEAR_TYPE.multiYear, code: null, ru: "Многолетний", kz: "Көп жылдық" },
  { book: "ref_subject_type", id: SUBJECT_TYPE.goods, code: "GOODS", ru: "Товары", kz: "Тауарлар" },
  { book: "ref_subject_type", id: SUBJECT_TYPE.works, code: "WORKS", ru: "Работы", kz: "Жұмыстар" },
  { book: "ref_subject_type", id: SUBJECT_TYPE.services, code: "SERVICES", ru: "Услуги", kz: "Қызметтер" }
]

/** The reference-book ids the generated data uses, for tests that widen or narrow the filters. */
export const GENERATOR_REF_IDS = {
  status: STATUS,
  contractType: CONTRACT_TYPE,
  yearType: YEAR_TYPE,
  subjectType: SUBJECT_TYPE
} as const

/** The reference-book entries as raw `/v3/refs/<book>` records tagged with their book. */
export const referenceRecords = (): Array<Record<string, unknown>> =>
  ENTRIES.map((e) => ({ book: e.book, id: e.id, code: e.code, name_ru: e.ru, name_kz: e.kz }))
