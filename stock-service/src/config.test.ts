import { describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'

const env = { JWT_SECRET: 'unit-test-secret-0123456789abcdef0123' }

describe('FULFILMENT_DELAY_MS', () => {
  it('is 0 unless set: a paid order ships at once, as the tests, chaos runs and benchmarks expect', () => {
    expect(readConfig(env).FULFILMENT_DELAY_MS).toBe(0)
    expect(readConfig({ ...env, FULFILMENT_DELAY_MS: '10000' }).FULFILMENT_DELAY_MS).toBe(10_000)
  })

  it.each(['-1', 'soon', '86400001'])('refuses %s at start-up, naming the variable', (value) => {
    expect(() => readConfig({ ...env, FULFILMENT_DELAY_MS: value })).toThrow(/^environment variable FULFILMENT_DELAY_MS: /)
  })
})
