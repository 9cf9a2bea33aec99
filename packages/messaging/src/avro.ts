// The event codec: Avro in the Confluent wire format, each type's schema registered FULL_TRANSITIVE, decoded with the writer's schema.
import avro from 'avsc'
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry'
import type { EventType } from '@choreo/contracts'
import { topicOf } from '@choreo/contracts'
import { InvalidEvent, RegistryError, UndecodableMessage, UnknownEventType } from './errors.ts'
import { loadSchemas, type LocalSchema } from './schemas.ts'

// Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
// Avro binary encoding. Subjects follow TopicRecordNameStrategy (`<topic>-<record full name>`),
// because several event types share one `<aggregate>.events` topic: each type evolves under
// its own subject, and a topic can still be read with one consumer.
const MAGIC_BYTE = 0
const HEADER_BYTES = 5

/**
 * Every subject is FULL_TRANSITIVE. During a rolling upgrade old and new builds produce and consume
 * side by side, so a schema change must be readable both ways: old consumers read new events
 * (FORWARD) and new consumers read old ones (BACKWARD). TRANSITIVE, because a topic keeps 7 days of
 * events written by any earlier version, and a replay reads them all. So a change may only add or
 * remove fields that have defaults.
 */
export const SUBJECT_COMPATIBILITY = COMPATIBILITY.FULL_TRANSITIVE

export function subjectOf(type: EventType, fullName: string): string {
  return `${topicOf(type)}-${fullName}`
}

export interface Decoded {
  type: EventType
  schemaId: number
  payload: Record<string, unknown>
}

export interface EventCodec {
  /** Throws InvalidEvent naming every field that does not match the event's schema. */
  validate(type: EventType, payload: unknown): void
  /** Registers (or finds) the schemas of these types, with SUBJECT_COMPATIBILITY. Idempotent. */
  register(types: EventType[]): Promise<void>
  /** Encodes in the wire format; the type must have been registered. */
  encode(type: EventType, payload: unknown): Buffer
  /** The registry's id of this build's schema of the type; the type must have been registered. */
  idOf(type: EventType): number
  /** Decodes with the writer's schema from the registry, resolved to this code base's reader schema. */
  decode(buffer: Buffer): Promise<Decoded>
}

export function createEventCodec(options: { registryUrl: string; schemasDir?: string }): EventCodec {
  const registry = new SchemaRegistry({ host: options.registryUrl, retry: { retries: 2 } })
  const local = loadSchemas(options.schemasDir)
  const byFullName = new Map<string, LocalSchema>([...local.values()].map((s) => [s.fullName, s]))
  const ids = new Map<EventType, number>()
  const readers = new Map<number, { schema: LocalSchema; resolver: avro.Resolver }>()

  /** Registers through the REST API itself, leaving the subject's level as it is. */
  async function registerAsIs(subject: string, schema: string): Promise<{ id: number }> {
    const res = await fetch(`${options.registryUrl.replace(/\/$/, '')}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema }),
    })
    if (!res.ok) throw Object.assign(new Error(`registering ${subject} answered ${res.status}: ${await res.text()}`), { status: res.status })
    return (await res.json()) as { id: number }
  }

  function schemaOf(type: EventType): LocalSchema {
    const schema = local.get(type)
    if (!schema) throw new InvalidEvent(type, ['(unknown event type)'])
    return schema
  }

  function idOf(type: EventType): number {
    const id = ids.get(type)
    if (id === undefined) throw new RegistryError(`${type} is not registered`)
    return id
  }

  async function readerFor(schemaId: number): Promise<{ schema: LocalSchema; resolver: avro.Resolver }> {
    const cached = readers.get(schemaId)
    if (cached) return cached
    let writer: avro.Type
    try {
      writer = (await registry.getSchema(schemaId)) as unknown as avro.Type
    } catch (err) {
      const status = (err as { status?: number }).status
      if (status === 404) throw new UndecodableMessage(`unknown schema id ${schemaId}`, { cause: err })
      throw new RegistryError(`registry lookup of schema id ${schemaId} failed`, { retriable: true, cause: err })
    }
    if (!writer.name) throw new UndecodableMessage(`schema id ${schemaId} is not a named record, so not an event`)
    const schema = byFullName.get(writer.name)
    if (!schema) throw new UnknownEventType(writer.name, schemaId)
    const entry = { schema, resolver: schema.avro.createResolver(writer) }
    readers.set(schemaId, entry)
    return entry
  }

  return {
    validate(type, payload) {
      const paths: string[] = []
      schemaOf(type).avro.isValid(payload, { errorHook: (path) => paths.push(path.join('.')) })
      if (paths.length > 0) throw new InvalidEvent(type, paths)
    },

    async register(types) {
      for (const type of types) {
        if (ids.has(type)) continue
        const schema = schemaOf(type)
        const subject = subjectOf(type, schema.fullName)
        const registration = () => registry.register({ type: SchemaType.AVRO, schema: schema.json }, { subject, compatibility: SUBJECT_COMPATIBILITY })
        try {
          let registered: { id: number }
          try {
            registered = await registration()
          } catch (err) {
            // The client refuses a subject at another level than the one asked for: one an earlier
            // build registered BACKWARD. It is not moved here: instances of that build check for
            // BACKWARD when they start, and would fail until upgraded. Register as is; the operator
            // moves it once no older build runs (README, delivery guarantees).
            if ((err as Error).name !== 'ConfluentSchemaRegistryCompatibilityError') throw err
            registered = await registerAsIs(subject, schema.json)
          }
          ids.set(type, registered.id)
        } catch (err) {
          const status = (err as { status?: number }).status
          throw new RegistryError(`registering ${subjectOf(type, schema.fullName)} failed: ${(err as Error).message}`, {
            retriable: status === undefined || status >= 500,
            cause: err,
          })
        }
      }
    },

    idOf,

    encode(type, payload) {
      const id = idOf(type)
      const body = schemaOf(type).avro.toBuffer(payload)
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length)
      out.writeUInt8(MAGIC_BYTE, 0)
      out.writeInt32BE(id, 1)
      body.copy(out, HEADER_BYTES)
      return out
    },

    async decode(buffer) {
      if (buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== MAGIC_BYTE) {
        throw new UndecodableMessage(`not Confluent wire format (magic byte ${buffer.length ? buffer.readUInt8(0) : 'missing'})`)
      }
      const schemaId = buffer.readInt32BE(1)
      const { schema, resolver } = await readerFor(schemaId)
      try {
        const payload = schema.avro.fromBuffer(buffer.subarray(HEADER_BYTES), resolver) as Record<string, unknown>
        return { type: schema.type, schemaId, payload }
      } catch (err) {
        throw new UndecodableMessage(`corrupt Avro body for ${schema.type} (schema id ${schemaId}): ${(err as Error).message}`, { cause: err })
      }
    },
  }
}
