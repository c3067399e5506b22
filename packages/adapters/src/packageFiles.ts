/**
 * Files the adapters open at run time beside their modules: worker entry points and the SQL migrations. The package
 * runs either from its TypeScript sources (the workspace, where Node strips the types) or from the compiled `dist/`
 * of the published package (Node refuses to strip types under `node_modules`), and the two layouts differ.
 */
import { fileURLToPath } from "node:url"

/** Whether these modules are the compiled ones (`dist/**.js`) rather than the sources (`src/**.ts`). */
const compiled = !import.meta.url.endsWith(".ts")

/** A module beside `base` by its name without extension, in the same form (`.ts` or `.js`) as this package runs. */
export const siblingModule = (name: string, base: string): URL => new URL(`./${name}${compiled ? ".js" : ".ts"}`, base)

/**
 * The SQL migrations: the repository's `migrations/` folder for the sources, the copy shipped in the package
 * (`migrations/` beside `dist/`, put there by `scripts/build.ts`) for the compiled modules.
 */
export const migrationsDir: string = fileURLToPath(
  new URL(compiled ? "../migrations/" : "../../../migrations/", import.meta.url)
)
