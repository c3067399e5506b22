/**
 * In-memory implementations of every port, and a deterministic generator of realistic datasets with planted
 * anomalies — for your tests and for embedding the indicators without a database.
 */
export * from "../memory/MemoryContractStore.ts"
export * from "../memory/MemoryFindingStore.ts"
export * from "../memory/MemoryIndicatorEngine.ts"
export * from "../memory/MemoryProcurementSource.ts"
export * from "../memory/MemoryUserStore.ts"
export * from "../memory/MemorySessionStore.ts"
export * from "../memory/MemoryRunStore.ts"
export * from "./generator/index.ts"
