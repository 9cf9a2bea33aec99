import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventSchemas, topicOf, type EventType } from '@choreo/contracts'
import { createEventCodec } from '@choreo/messaging'
import { infra } from '@choreo/testkit'
import { jsonLines, runTool, toolEnv } from './tool-process.ts'

interface Check { type: string; subject: string; result: string; level?: string; latestVersion?: number; reason?: string }

const root = join(import.meta.dirname, '..', '..')

async function registered(subject: string): Promise<number[] | null> {
  const res = await fetch(`${infra().registryUrl}/subjects/${encodeURIComponent(subject)}/versions`)
  return res.status === 404 ? null : ((await res.json()) as number[])
}

describe('./choreo schemas check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const env = toolEnv('')
  // Registered here, as the services do at start, so the file does not depend on another having run
  // first; and at FULL_TRANSITIVE, as an operator leaves a subject an earlier build made BACKWARD.
  beforeAll(async () => {
    await createEventCodec({ registryUrl: infra().registryUrl }).register(Object.keys(eventSchemas) as EventType[])
    for (const subject of ['order.events-choreo.order.OrderPlaced', 'payment.events-choreo.payment.PaymentCompleted']) {
      const res = await fetch(`${infra().registryUrl}/config/${subject}`, {
        method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: 'FULL_TRANSITIVE' }),
      })
      if (!res.ok) throw new Error(`setting ${subject} to FULL_TRANSITIVE answered ${res.status}`)
    }
  })

  it('checks every schema in schemas/ against its subject in the registry', async () => {
    const run = await runTool('schemas', ['check', '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const [checks] = jsonLines<Check[]>(run.stdout)
    const types = Object.keys(eventSchemas) as EventType[]
    expect(checks!.map((c) => c.subject).sort()).toEqual(types.map((t) => `${topicOf(t)}-${eventSchemas[t].fullName}`).sort())
    for (const c of checks!) {
      const versions = await registered(c.subject)
      expect(c.result).toBe(versions === null ? 'not registered' : 'compatible')
      if (versions) expect(c.latestVersion).toBe(Math.max(...versions))
    }
    expect(checks!.every((c) => c.result === 'compatible')).toBe(true)
  })

  it('says which schema is incompatible and why, which is not registered, and exits 1', async () => {
    cpSync(join(root, 'schemas'), dir, { recursive: true })
    const edit = (file: string, change: (schema: { name: string; fields: object[] }) => void) => {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { name: string; fields: object[] }
      change(schema)
      writeFileSync(join(dir, file), JSON.stringify(schema))
    }
    // A new field without a default: data written with the registered schema cannot be read.
    edit('order/OrderPlaced.avsc', (s) => s.fields.push({ name: 'giftWrap', type: 'boolean' }))
    // A field without a default removed: a consumer with the registered schema cannot read new events.
    edit('payment/PaymentCompleted.avsc', (s) => { s.fields = s.fields.filter((f) => (f as { name: string }).name !== 'paymentId') })
    edit('stock/StockReleased.avsc', (s) => { s.name = 'StockReleasedNeverRegistered' })
    const run = await runTool('schemas', ['check', '--json', '--schemas-dir', dir], env)
    expect(run.code).toBe(1)
    const [checks] = jsonLines<Check[]>(run.stdout)
    const of = (subject: string) => checks!.find((c) => c.subject === subject)
    expect(of('order.events-choreo.order.OrderPlaced')).toMatchObject({ result: 'incompatible', level: 'FULL_TRANSITIVE', reason: expect.stringContaining('giftWrap') })
    expect(of('stock.events-choreo.stock.StockReleasedNeverRegistered')).toMatchObject({ result: 'not registered' })
    expect(of('payment.events-choreo.payment.PaymentCompleted')).toMatchObject({
      result: 'incompatible', level: 'FULL_TRANSITIVE', reason: expect.stringMatching(/^a consumer with the registered schema cannot read events written with the new one: .*paymentId/),
    })
    expect(checks!.filter((c) => c.result === 'incompatible').map((c) => c.subject).sort()).toEqual(['order.events-choreo.order.OrderPlaced', 'payment.events-choreo.payment.PaymentCompleted'])
    const text = await runTool('schemas', ['check', '--schemas-dir', dir], env)
    expect(text.stdout).toMatch(/order\.events-choreo\.order\.OrderPlaced\s+incompatible\s+FULL_TRANSITIVE\s+v\d+\s+.*giftWrap/)
    expect(text.stderr).toContain('2 schema(s) incompatible')
  })
})
