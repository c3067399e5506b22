/**
 * Use cases and authorisation policy of the server, composed from the ports. Both transports (RPC and REST) and
 * the CLI call these; none of them holds logic of its own.
 */
export * from "./Catalogue.ts"
export * from "./Credentials.ts"
export * from "./Errors.ts"
export * from "./Policy.ts"
export { ContractDetail, ContractPage, type ContractSearch, MAX_CONTRACT_PAGE } from "./Contracts.ts"
export { FindingCounts, type FindingSearch, type FindingSearchFilter, MAX_FINDING_PAGE } from "./Findings.ts"
export { RunExecutor, RunPage } from "./Runs.ts"
export { TokenPair, normalizeUsername, type LoginInput } from "./Auth.ts"
export {
  CreateUserInput,
  Me,
  Password,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  UpdateUserInput,
  UserPage
} from "./Users.ts"
export * as Auth from "./Auth.ts"
export * as Contracts from "./Contracts.ts"
export * as Findings from "./Findings.ts"
export * as Runs from "./Runs.ts"
export * as Users from "./Users.ts"
