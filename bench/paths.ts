import { fileURLToPath } from "node:url"

/** The repository root (bench/ sits at its top). */
export const ROOT = fileURLToPath(new URL("..", import.meta.url))
export const CACHE_DIR = `${ROOT}.cache/bench`
export const RESULTS_DIR = `${ROOT}bench/results`
export const DOCS_FILE = `${ROOT}docs/benchmarks.md`
export const CLI = `${ROOT}packages/server/src/bin/adalqarau.ts`
