// `pnpm bench`: the benchmark lives in bench/ (see bench/main.ts and docs/benchmarks.md).
import "../bench/main.ts"
