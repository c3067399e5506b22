import { Effect, Metric } from "effect"
import { monitorEventLoopDelay } from "node:perf_hooks"

/**
 * Process metrics in the names Prometheus' client libraries use, refreshed when `/metrics` is scraped (they are
 * cheap to read, so there is no background sampler).
 */
const residentMemory = Metric.gauge("process_resident_memory_bytes", { description: "Resident memory size in bytes" })
const heapUsed = Metric.gauge("nodejs_heap_used_bytes", { description: "V8 heap in use, in bytes" })
const heapTotal = Metric.gauge("nodejs_heap_total_bytes", { description: "V8 heap allocated, in bytes" })
const cpuSeconds = Metric.gauge("process_cpu_seconds", { description: "User and system CPU time spent, in seconds" })
const startTime = Metric.gauge("process_start_time_seconds", {
  description: "Start time since the Unix epoch, in seconds"
})
const uptime = Metric.gauge("process_uptime_seconds", { description: "Seconds since the process started" })
const eventLoopLag = Metric.gauge("nodejs_eventloop_lag_p99_seconds", {
  description: "99th percentile of event loop delay since the previous scrape, in seconds"
})

const started = Date.now() / 1000 - process.uptime()
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()

export const refreshProcessMetrics: Effect.Effect<void> = Effect.suspend(() => {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  const lag = loopDelay.percentile(99) / 1e9
  loopDelay.reset()
  return Effect.all(
    [
      Metric.update(residentMemory, memory.rss),
      Metric.update(heapUsed, memory.heapUsed),
      Metric.update(heapTotal, memory.heapTotal),
      Metric.update(cpuSeconds, (cpu.user + cpu.system) / 1e6),
      Metric.update(startTime, started),
      Metric.update(uptime, process.uptime()),
      Metric.update(eventLoopLag, Number.isFinite(lag) ? lag : 0)
    ],
    { discard: true }
  )
})
