import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { newEvent, type EventType } from '@choreo/contracts'
import { createEventCodec, type EventCodec } from '@choreo/messaging'
import { createTestTopics, infra, readTopic, testKafka } from '@choreo/testkit'
import { toolEnv, type ToolRun } from './tool-process.ts'

const root = join(import.meta.dirname, '..', '..')

/** `kcat … | ./choreo decode`, through a real shell pipe. */
function pipeKcat(kcatArgs: string, env: Record<string, string>): Promise<ToolRun> {
  const command = `kcat -C -b ${infra().brokers[0]} ${kcatArgs} -e -q | "${process.execPath}" tools/commands/decode.ts`
  const child = spawn('sh', ['-c', command], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

interface Decoded {
  topic?: string
  partition?: number
  offset?: number
  key: string | null
  headers: Record<string, string>
  type?: string
  payload?: Record<string, unknown>
  error?: string
}

// Bytes kcat -J must not mangle: multi-byte UTF-8, quotes, backslashes, control characters,
// and longs whose varints are full of bytes ≥ 0x80.
const address = { name: 'Søren "Sø" Ødegård', line1: 'Straße 1\\2\t\n', city: 'Zürich ☕', postalCode: '8001', country: 'CH' }

describe('./choreo decode reading real kcat output', () => {
  let prefix: string
  let codec: EventCodec
  let topic: string
  const orders = [randomUUID(), randomUUID(), randomUUID()]

  beforeAll(async () => {
    prefix = await createTestTopics('tools-decode')
    topic = `${prefix}order.events`
    codec = createEventCodec({ registryUrl: infra().registryUrl })
    const types: EventType[] = ['OrderPlaced', 'OrderCancelled']
    await codec.register(types)
    const producer = testKafka().producer()
    await producer.connect()
    const meta = (orderId: string) => ({ eventId: randomUUID(), correlationId: 'c-1', causationId: null, occurredAt: 8_640_000_000_000 - orderId.length })
    await producer.send({
      topic,
      messages: [
        ...orders.map((orderId) => {
          const { data } = newEvent('OrderPlaced', { orderId, customerId: 'ada', items: [{ productId: 'teapot', quantity: 200_000 }], shippingAddress: address, currency: 'EUR' })
          return { key: orderId, value: codec.encode('OrderPlaced', { ...meta(orderId), ...data }), headers: { 'event-type': 'OrderPlaced', 'correlation-id': 'c-1' } }
        }),
        { key: orders[0], value: codec.encode('OrderCancelled', { ...meta(orders[0]!), orderId: orders[0], reason: 'ändern' }), headers: { 'event-type': 'OrderCancelled' } },
      ],
    })
    await producer.send({ topic, messages: [{ key: 'garbage', value: Buffer.from('not avro'), headers: {} }] })
    await producer.disconnect()
  })

  async function onTopic(): Promise<Decoded[]> {
    return Promise.all((await readTopic(topic)).map(async (m) => {
      const base = { topic: m.topic, partition: m.partition, offset: Number(m.offset), key: m.key, headers: m.headers }
      try {
        const { type, payload } = await codec.decode(m.value!)
        return { ...base, type, payload }
      } catch {
        return base
      }
    }))
  }

  const byPlace = (a: Decoded, b: Decoded) => (a.partition ?? 0) - (b.partition ?? 0) || (a.offset ?? 0) - (b.offset ?? 0)

  it('decodes kcat -J lines byte for byte, with topic, partition, offset, key and headers', async () => {
    const run = await pipeKcat(`-t ${topic} -J`, toolEnv(prefix))
    const decoded = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Decoded).sort(byPlace)
    const expected = (await onTopic()).sort(byPlace)
    expect(decoded.map(({ topic: t, partition, offset, key, headers, type, payload }) => ({ topic: t, partition, offset, key, headers, ...(type ? { type, payload } : {}) })))
      .toEqual(expected)
    expect(decoded.filter((d) => d.type === 'OrderPlaced').map((d) => (d.payload as { shippingAddress: unknown }).shippingAddress)).toEqual([address, address, address])
    // The garbage message is reported, not skipped, and the exit code says something failed.
    expect(decoded.filter((d) => d.error)).toEqual([expect.objectContaining({ key: 'garbage', error: expect.stringMatching(/magic byte/) })])
    expect(run.code).toBe(1)
  })

  it("decodes kcat's length-framed -f '%R%s' output", async () => {
    const run = await pipeKcat(`-t ${topic} -f '%R%s'`, toolEnv(prefix))
    const payloads = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Decoded).filter((d) => d.payload).map((d) => d.payload)
    const expected = (await onTopic()).filter((d) => d.payload).map((d) => d.payload)
    const byId = (p: Record<string, unknown> | undefined) => String(p?.eventId)
    expect(payloads.sort((a, b) => byId(a).localeCompare(byId(b)))).toEqual(expected.sort((a, b) => byId(a).localeCompare(byId(b))))
    expect(payloads).toHaveLength(4)
  })

  it("decodes one partition (-p), where an order's events are in the order they happened", async () => {
    const partition = (await readTopic(topic)).find((m) => m.key === orders[0])!.partition
    const run = await pipeKcat(`-t ${topic} -p ${partition} -J`, toolEnv(prefix))
    const mine = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Decoded).filter((d) => d.key === orders[0])
    expect(mine.map((d) => d.type)).toEqual(['OrderPlaced', 'OrderCancelled'])
  })
})
