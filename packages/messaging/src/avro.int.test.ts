import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { infra } from '@choreo/testkit'
import { createEventCodec } from './avro.ts'
import { RegistryError } from './errors.ts'
import { evolvedSchemas, freshNamespace } from './testing/evolved-schemas.ts'

describe('schema evolution through the registry', () => {
  it('lets a consumer with the old schema read an event written with a new optional field', async () => {
    const { dir: newDir, original: oldDir } = evolvedSchemas(freshNamespace(), (s) => {
      s.fields.push({ name: 'signedBy', type: ['null', 'string'], default: null, doc: 'who signed for it' })
    })
    const oldCodec = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: oldDir })
    await oldCodec.register(['OrderDelivered'])
    const newCodec = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: newDir })
    await newCodec.register(['OrderDelivered']) // an optional field with a default reads both ways: accepted as version 2
    const event = { eventId: randomUUID(), orderId: 'o-1', correlationId: 'c', causationId: null, occurredAt: 1, deliveredAt: 2, signedBy: 'Ada' }
    const bytes = newCodec.encode('OrderDelivered', event)
    expect(bytes.readInt32BE(1)).not.toBe(oldCodec.encode('OrderDelivered', { ...event, signedBy: undefined }).readInt32BE(1))
    const decoded = await oldCodec.decode(bytes)
    expect({ ...decoded.payload }).toEqual({ eventId: event.eventId, orderId: 'o-1', correlationId: 'c', causationId: null, occurredAt: 1, deliveredAt: 2 })
  })

  it('refuses a change old consumers could not read: a field without a default removed (BACKWARD would allow it)', async () => {
    const { dir: newDir, original: oldDir } = evolvedSchemas(freshNamespace(), (s) => {
      s.fields = s.fields.filter((f) => (f as { name: string }).name !== 'deliveredAt')
    })
    await createEventCodec({ registryUrl: infra().registryUrl, schemasDir: oldDir }).register(['OrderDelivered'])
    const attempt = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: newDir }).register(['OrderDelivered'])
    await expect(attempt).rejects.toBeInstanceOf(RegistryError)
    await expect(attempt).rejects.toThrow(/incompatible|409/i)
  })

  it('refuses a change new consumers could not read old events with: a field without a default added', async () => {
    const { dir: newDir, original: oldDir } = evolvedSchemas(freshNamespace(), (s) => {
      s.fields.push({ name: 'signedBy', type: 'string', doc: 'required and without a default: old events cannot be read' })
    })
    await createEventCodec({ registryUrl: infra().registryUrl, schemasDir: oldDir }).register(['OrderDelivered'])
    const attempt = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: newDir }).register(['OrderDelivered'])
    await expect(attempt).rejects.toBeInstanceOf(RegistryError)
    await expect(attempt).rejects.toThrow(/incompatible|409/i)
  })

  it('sets FULL_TRANSITIVE compatibility on new subjects, and registers on one an earlier build left BACKWARD without moving it', async () => {
    const { original } = evolvedSchemas(freshNamespace(), () => {})
    const namespace = JSON.parse(readFileSync(join(original, 'order', 'OrderDelivered.avsc'), 'utf8')).namespace
    const config = `${infra().registryUrl}/config/order.events-${namespace}.OrderDelivered`
    await createEventCodec({ registryUrl: infra().registryUrl, schemasDir: original }).register(['OrderDelivered'])
    expect(await (await fetch(config)).json()).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' })
    // What an earlier build left: the subject at BACKWARD. Its instances check for that level when
    // they start, so this build registers and encodes without moving it.
    const put = await fetch(config, { method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) })
    expect(put.status).toBe(200)
    const codec = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: original })
    await codec.register(['OrderDelivered'])
    const event = { eventId: randomUUID(), orderId: 'o-1', correlationId: 'c', causationId: null, occurredAt: 1, deliveredAt: 2 }
    expect((await codec.decode(codec.encode('OrderDelivered', event))).payload).toMatchObject({ orderId: 'o-1' })
    expect(await (await fetch(config)).json()).toEqual({ compatibilityLevel: 'BACKWARD' })
  })
})
