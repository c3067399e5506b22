/**
 * The server's accounts on PostgreSQL (and PGlite): UserStore, SessionStore and RunStore over any SqlClient,
 * on the tables of migrations/0004_accounts.sql (and 0018, tokens_revoked_at).
 */
import type { RunStore, SessionStore, UserStore } from "@adalqarau/core"
import { Layer } from "effect"
import type { SqlClient } from "effect/sql"
import { layerPgRunStore } from "./PgRunStore.ts"
import { layerPgSessionStore } from "./PgSessionStore.ts"
import { layerPgUserStore } from "./PgUserStore.ts"

export { layerPgRunStore, makePgRunStore } from "./PgRunStore.ts"
export { layerPgSessionStore, makePgSessionStore } from "./PgSessionStore.ts"
export { layerPgUserStore, makePgUserStore } from "./PgUserStore.ts"

export type AccountServices = UserStore | SessionStore | RunStore

/** The three account stores over one SqlClient (migrations applied separately, as for the other stores). */
export const layerPgAccounts: Layer.Layer<AccountServices, never, SqlClient.SqlClient> = Layer.mergeAll(
  layerPgUserStore,
  layerPgSessionStore,
  layerPgRunStore
)
