import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createTestTopics, infra, readTopic, testKafka } from '@choreo/testkit'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { createEventCodec } from './avro.ts'

// The smoke test of the real stack: kafkajs against this Kafka, the registry client against
// Apicurio's Confluent-compatible API, and the wire format end to end.
describe('the real stack', () => {
  it('registers a schema, produces with kafkajs, consumes it back and decodes it', async () => {
    const prefix = await createTestTopics('smoke', [])
    const codec = createEventCodec({ registryUrl: infra().registryUrl })
    await codec.register(['OrderDelivered'])
    const event = { eventId: randomUUID(), orderId: randomUUID(), correlationId: 'c-1', causationId: null, occurredAt: 1_700_000_000_000, deliveredAt: 1_700_000_000_123 }
    const producer = testKafka().producer()
    await producer.connect()
    await producer.send({ topic: `${prefix}order.events`, acks: -1, messages: [{ key: event.orderId, value: codec.encode('OrderDelivered', event) }] })
    await producer.disconnect()

    const [message, ...rest] = await readTopic(`${prefix}order.events`)
    expect(rest).toHaveLength(0)
    expect(message?.key).toBe(event.orderId)
    expect(message?.value?.readUInt8(0)).toBe(0)
    const decoded = await codec.decode(message!.value!)
    expect(decoded.type).toBe('OrderDelivered')
    expect({ ...decoded.payload }).toEqual(event)
  })

  it('@kafkajs/confluent-schema-registry registers, encodes and decodes through Apicurio, interchangeably with our codec', async () => {
    const registry = new SchemaRegistry({ host: infra().registryUrl })
    const schema = { type: 'record', name: 'Probe', namespace: `choreo.smoke${randomUUID().replaceAll('-', '')}`, fields: [{ name: 'n', type: 'long' }] }
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `smoke-${schema.namespace}.Probe` })
    const bytes = await registry.encode(id, { n: 42 })
    expect(bytes.readUInt8(0)).toBe(0)
    expect(bytes.readInt32BE(1)).toBe(id)
    expect({ ...(await registry.decode(bytes)) }).toEqual({ n: 42 })

    // and the library decodes what our codec wrote
    const codec = createEventCodec({ registryUrl: infra().registryUrl })
    await codec.register(['OrderDelivered'])
    const event = { eventId: randomUUID(), orderId: 'o', correlationId: 'c', causationId: null, occurredAt: 1, deliveredAt: 2 }
    expect({ ...(await registry.decode(codec.encode('OrderDelivered', event))) }).toEqual(event)
  })
})
