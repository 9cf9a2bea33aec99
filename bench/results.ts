// Where benchmark results go (.bench/, one JSON file per run) with the machine's facts, and the percentile and rounding every benchmark uses.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'

export const ROOT = path.resolve(import.meta.dirname, '..')
/** Git-ignored: results are the machine's, not the code's. */
export const RESULTS_DIR = path.join(ROOT, '.bench')

export interface MachineFacts {
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
  kafka: string
  postgres: string
  /** 1, 5 and 15 minute load averages: other work on the machine makes absolute figures noisy. */
  loadAverage: number[]
}

/** The broker's version, from the jars ./choreo runs it from. */
function kafkaVersion(): string {
  try {
    const jar = readdirSync(path.join(ROOT, '.cache/kafka/libs')).find((f) => /^kafka_2\.13-.+\.jar$/.test(f))
    return jar?.replace(/^kafka_2\.13-(.+)\.jar$/, '$1') ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export async function machineFacts(db: Knex): Promise<MachineFacts> {
  const { rows } = await db.raw<{ rows: { server_version: string }[] }>('SHOW server_version')
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kafka: kafkaVersion(),
    postgres: rows[0]?.server_version ?? 'unknown',
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  }
}

/** The p-th percentile (0..100) of values, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Writes `.bench/<name>-<timestamp>.json` (or over `file`, a result being completed) and returns its path. */
export function writeResult(name: string, result: object, file = path.join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
  return file
}

/** The newest result of a benchmark, or undefined when it never ran here. */
export function latestResult(name: string): string | undefined {
  let files: string[]
  try {
    files = readdirSync(RESULTS_DIR)
  } catch {
    return undefined
  }
  const latest = files.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json')).sort().at(-1)
  return latest === undefined ? undefined : path.join(RESULTS_DIR, latest)
}
