// Durations and times on the command line (30s, 10m, an ISO date-time), and spans as shown to people (850ms, 3m12s).
import { UsageError } from './command.ts'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `30s`, `10m`, `2h`, `1d`, `500ms` → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim())
  if (!m) throw new UsageError(`${option}: '${text}' is not a duration like 30s, 10m, 2h or 1d`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** A point in time: an ISO date-time (`2026-05-01T10:00:00Z`) or a duration ago (`10m`). */
export function parseTime(text: string, option: string, now: number = Date.now()): number {
  if (/^\d+(ms|s|m|h|d)$/.test(text.trim())) return now - parseDuration(text, option)
  const at = Date.parse(text)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at)) {
    throw new UsageError(`${option}: '${text}' is neither an ISO date-time (2026-05-01T10:00:00Z) nor a duration ago (10m)`)
  }
  return at
}

/** A short human form of a span: 850ms, 4.2s, 3m12s, 2h05m. */
export function formatSpan(ms: number): string {
  const sign = ms < 0 ? '-' : ''
  const a = Math.abs(ms)
  if (a < 1000) return `${sign}${Math.round(a)}ms`
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)}s`
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)}m${String(Math.floor((a % 60_000) / 1000)).padStart(2, '0')}s`
  return `${sign}${Math.floor(a / 3_600_000)}h${String(Math.floor((a % 3_600_000) / 60_000)).padStart(2, '0')}m`
}
