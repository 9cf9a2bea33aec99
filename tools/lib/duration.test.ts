import { describe, expect, it } from 'vitest'
import { UsageError } from './command.ts'
import { formatSpan, parseDuration, parseTime } from './duration.ts'

describe('durations and times on the command line', () => {
  it('reads 500ms, 30s, 10m, 2h and 1d', () => {
    expect(['500ms', '30s', '10m', '2h', '1d'].map((d) => parseDuration(d, '--x'))).toEqual([500, 30_000, 600_000, 7_200_000, 86_400_000])
  })

  it('refuses what is not a duration, naming the option', () => {
    expect(() => parseDuration('10 minutes', '--older-than')).toThrow(UsageError)
    expect(() => parseDuration('1.5h', '--older-than')).toThrow(/--older-than: '1.5h'/)
  })

  it('reads a time as an ISO date-time or as a duration ago', () => {
    expect(parseTime('2026-05-01T10:00:00Z', '--since')).toBe(Date.UTC(2026, 4, 1, 10))
    expect(parseTime('10m', '--since', 1_000_000_000)).toBe(1_000_000_000 - 600_000)
    expect(() => parseTime('yesterday', '--since')).toThrow(UsageError)
    expect(() => parseTime('1000', '--since')).toThrow(UsageError)
  })

  it('shows spans the way people read them', () => {
    expect([850, 4200, 192_000, 7_500_000].map(formatSpan)).toEqual(['850ms', '4.2s', '3m12s', '2h05m'])
  })
})
