import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts"],
    // Starts a throwaway PostgreSQL cluster for the storage tests (when one can be started) and prepares the
    // PGlite database dumps they start from.
    globalSetup: ["packages/adapters/test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
