/** Values globalSetup hands to the test files (vitest `provide` / `inject`). */
declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL cluster for integration tests; null when none is available. */
    pgAdminUrl: string | null
    /** PGlite data-folder dumps (see pgliteTemplate.ts): a fresh database, and one with the migrations applied. */
    pgliteEmpty: string
    pgliteMigrated: string
  }
}

export {}
