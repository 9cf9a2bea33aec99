// Generates docs/saga.md (Mermaid diagram and event catalog) and docs/asyncapi.json (AsyncAPI 3.0)
// from the three services' saga.ts tables and schemas/, so the docs cannot drift from the code.
// Usage: node tools/docs/gen-docs.ts [--check]
//
// Everything about a step comes from its entry in the typed tables (messaging's `defineSaga`):
// its handler's name, what it may emit (which the compiler holds the handler to), what undoes it
// and what it does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EVENT_TOPIC_PARTITIONS, eventSchemas, eventsOf, topicOf, type EventType } from '@choreo/contracts'
import { subjectOf, type Saga, type Step } from '@choreo/messaging'
import { factsOf, sagas, services, type ServiceName } from '../lib/services.ts'

const root = join(import.meta.dirname, '..', '..')
export const SAGA_DOC = 'docs/saga.md'
export const ASYNCAPI_DOC = 'docs/asyncapi.json'

type AvroType = string | AvroType[] | { type: string; name?: string; namespace?: string; doc?: string; fields?: AvroField[]; items?: AvroType; logicalType?: string; symbols?: string[] }
interface AvroField { name: string; type: AvroType; doc?: string; default?: unknown }
interface AvroRecord { name: string; namespace: string; doc: string; fields: AvroField[] }

/** One entry of a saga table: the event, the service, the handler and what it says of its step. */
export interface Reaction {
  service: ServiceName
  event: EventType
  handler: string
  does: string
  emits: readonly EventType[]
  undoneBy: readonly EventType[]
}

const eventTypes = Object.keys(eventSchemas) as EventType[]
const shortOf = (service: ServiceName): 'order' | 'stock' | 'payment' => service.replace('-service', '') as 'order' | 'stock' | 'payment'

function reactionsOf(service: ServiceName, page: Saga): Reaction[] {
  return (Object.entries(page) as [EventType, Step][]).map(([event, step]) => ({
    service, event, handler: step.name, does: step.does, emits: step.emits, undoneBy: step.undoneBy,
  }))
}

/** Every service's reactions: its saga's steps, then the steps that record facts (payment's, from order.events). */
export function readReactions(): Reaction[] {
  return services.flatMap((service) => {
    const facts = factsOf[service]
    return [...reactionsOf(service, sagas[service]), ...(facts ? reactionsOf(service, facts) : [])]
  })
}

function schemaOf(type: EventType): AvroRecord {
  return JSON.parse(readFileSync(join(root, eventSchemas[type].file), 'utf8')) as AvroRecord
}

// Events a service also emits outside its saga's handlers, from a route or a poller of its own:
// the saga tables cannot tell these, so they are listed here (keep it beside the routes' changes).
const alsoEmitted: Partial<Record<EventType, readonly string[]>> = {
  OrderShipped: ["stock-service's fulfilment poller, FULFILMENT_DELAY_MS after the order is paid", "stock-service's admin `POST /shipments`"],
}

const producerOf = (type: EventType): ServiceName => `${eventSchemas[type].service}-service`
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim()
const cell = (text: string): string => oneLine(text).replaceAll('|', '\\|')

/** An Avro type as the catalog shows it; named records are collected to be listed once. */
function typeName(type: AvroType, records: Map<string, AvroRecord>): string {
  if (typeof type === 'string') return type
  if (Array.isArray(type)) return type.map((t) => typeName(t, records)).join(' \\| ')
  if (type.type === 'record' && type.name && type.fields) {
    records.set(type.name, { name: type.name, namespace: type.namespace ?? '', doc: type.doc ?? '', fields: type.fields })
    return type.name
  }
  if (type.type === 'array' && type.items !== undefined) return `array of ${typeName(type.items, records)}`
  if (type.type === 'enum' && type.symbols) return type.symbols.join(' \\| ')
  return type.logicalType ? `${type.type} (${type.logicalType})` : type.type
}

function fieldTable(fields: readonly AvroField[], records: Map<string, AvroRecord>): string[] {
  return [
    '| field | type | description |',
    '|---|---|---|',
    ...fields.map((f) => `| \`${f.name}\` | ${typeName(f.type, records)}${f.default === undefined ? '' : ` (default ${JSON.stringify(f.default)})`} | ${cell(f.doc ?? '')} |`),
  ]
}

const nodeId = (service: ServiceName): string => service.replace('-', '_')

function mermaid(reactions: readonly Reaction[]): string[] {
  const emitted = new Set(reactions.flatMap((r) => r.emits))
  const lines = ['```mermaid', 'flowchart LR']
  for (const service of services) {
    lines.push(`  subgraph ${nodeId(service)}_events ["${service} publishes on ${topicOf(eventsOf(shortOf(service))[0]!)}"]`)
    for (const type of eventsOf(shortOf(service))) lines.push(`    ${type}`)
    lines.push('  end')
  }
  for (const service of services) {
    const started = eventsOf(shortOf(service)).filter((t) => !emitted.has(t) || alsoEmitted[t])
    if (started.length === 0) continue
    lines.push(`  ${nodeId(service)}_http(["${service} HTTP API"])`)
    for (const type of started) lines.push(`  ${nodeId(service)}_http --> ${type}`)
  }
  for (const r of reactions) {
    const label = `"${r.service}: ${r.handler}"`
    if (r.emits.length === 0) {
      lines.push(`  ${r.event} -.->|${label}| ${nodeId(r.service)}_state[("${r.service} state")]`)
    } else {
      for (const e of r.emits) lines.push(`  ${r.event} -->|${label}| ${e}`)
    }
  }
  lines.push('```')
  return lines
}

export function renderSagaDoc(reactions: readonly Reaction[] = readReactions()): string {
  const records = new Map<string, AvroRecord>()
  const emitters = (type: EventType) => reactions.filter((r) => r.emits.includes(type))
  const lines = [
    '# The order saga: diagram and event catalog',
    '',
    '<!-- Generated by tools/docs/gen-docs.ts from the services\' saga.ts tables and schemas/. Do not edit: run `node tools/docs/gen-docs.ts`. -->',
    '',
    'Who reacts to which event, as the `saga` tables of order-service, stock-service and payment-service say',
    '([design.md](design.md) explains the rules that keep it consistent). An arrow is a handler: solid into the',
    'events it may emit, dotted when it only changes its own service\'s state. Events with an arrow from an HTTP',
    'API start outside the saga. Every event is keyed by its order id; [asyncapi.json](asyncapi.json) describes',
    'the same channels and messages for tools.',
    '',
    ...mermaid(reactions),
    '',
    '## Reactions',
    '',
    '| event | service | handler | may emit | undone by | what it does |',
    '|---|---|---|---|---|---|',
    ...reactions.map((r) => `| ${r.event} | ${r.service} | \`${r.handler}\` | ${r.emits.join(', ') || '—'} | ${r.undoneBy.join(', ') || '—'} | ${cell(r.does)} |`),
    '',
    '## Event catalog',
    '',
  ]
  for (const service of services) {
    for (const type of eventsOf(shortOf(service))) {
      const schema = schemaOf(type)
      const by = emitters(type)
      const consumers = reactions.filter((r) => r.event === type)
      lines.push(
        `### ${type}`,
        '',
        cell(schema.doc),
        '',
        `- topic \`${topicOf(type)}\`, key: the order id; published by ${service}`,
        `- schema \`${eventSchemas[type].file}\` (\`${eventSchemas[type].fullName}\`), registry subject \`${subjectOf(type, eventSchemas[type].fullName)}\``,
        `- emitted ${by.length === 0 ? `from ${service}'s HTTP API` : `by ${[...by.map((r) => `${r.service} \`${r.handler}\` on ${r.event}`), ...alsoEmitted[type] ?? []].join('; ')}`}`,
        `- handled by ${consumers.length === 0 ? 'no service: it announces a final state' : consumers.map((r) => `${r.service} \`${r.handler}\``).join(', ')}`,
        '',
        ...fieldTable(schema.fields, records),
        '',
      )
    }
  }
  lines.push('## Shared types', '')
  for (const name of [...records.keys()].sort()) {
    const record = records.get(name)!
    lines.push(`### ${name}`, '', cell(record.doc), '', ...fieldTable(record.fields, records), '')
  }
  return `${lines.join('\n').trimEnd()}\n`
}

const camel = (text: string): string => text.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
const channelId = (type: EventType): string => camel(topicOf(type).replace('.', '-'))

export function renderAsyncApi(reactions: readonly Reaction[] = readReactions()): string {
  const topics = [...new Set(eventTypes.map(topicOf))]
  const messageRef = (type: EventType) => ({ $ref: `#/channels/${channelId(type)}/messages/${type}` })
  const doc = {
    asyncapi: '3.0.0',
    info: {
      title: 'choreo: the order saga',
      version: '1.0.0',
      description: 'Saga by choreography between order-service, stock-service and payment-service over Kafka. '
        + 'Generated by tools/docs/gen-docs.ts from the services\' saga.ts tables and schemas/; docs/saga.md has the diagram.',
    },
    defaultContentType: 'application/vnd.apache.avro+binary',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local stack (./choreo up). Topic names may carry a prefix (TOPIC_PREFIX).' },
    },
    channels: Object.fromEntries(topics.map((topic) => {
      const types = eventTypes.filter((t) => topicOf(t) === topic)
      return [channelId(types[0]!), {
        address: topic,
        description: `Events of ${producerOf(types[0]!)}, keyed by order id, so one order's events are consumed in order.`,
        messages: Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
        bindings: { kafka: { partitions: EVENT_TOPIC_PARTITIONS, bindingVersion: '0.5.0' } },
      }]
    })),
    operations: {
      ...Object.fromEntries(services.map((service) => {
        const types = eventsOf(shortOf(service))
        return [`${camel(service)}Publishes`, {
          action: 'send',
          channel: { $ref: `#/channels/${channelId(types[0]!)}` },
          summary: `${service} publishes its events through its transactional outbox.`,
          messages: types.map(messageRef),
        }]
      })),
      ...Object.fromEntries(reactions.map((r) => [`${camel(r.service)}On${r.event}`, {
        action: 'receive',
        channel: { $ref: `#/channels/${channelId(r.event)}` },
        summary: `${r.service}: ${r.handler}`,
        description: oneLine(r.does),
        messages: [messageRef(r.event)],
        'x-emits': r.emits,
        ...(r.undoneBy.length > 0 ? { 'x-undone-by': r.undoneBy } : {}),
      }])),
    },
    components: {
      messages: Object.fromEntries(eventTypes.map((type) => {
        const schema = schemaOf(type)
        return [type, {
          name: type,
          title: type,
          summary: oneLine(schema.doc),
          contentType: 'application/vnd.apache.avro+binary',
          headers: { $ref: '#/components/schemas/EventHeaders' },
          payload: { schemaFormat: 'application/vnd.apache.avro+json;version=1.9.0', schema },
          bindings: {
            kafka: {
              key: { type: 'string', description: 'The order id.' },
              schemaIdLocation: 'payload',
              schemaIdPayloadEncoding: 'confluent',
              schemaLookupStrategy: 'TopicRecordNameStrategy',
              bindingVersion: '0.5.0',
            },
          },
        }]
      })),
      schemas: {
        EventHeaders: {
          type: 'object',
          description: 'Kafka headers the outbox gives every event (packages/messaging/src/outbox.ts).',
          required: ['event-id', 'event-type', 'correlation-id', 'traceparent'],
          properties: {
            'event-id': { type: 'string', format: 'uuid', description: 'The payload\'s eventId.' },
            'event-type': { type: 'string', enum: eventTypes },
            'correlation-id': { type: 'string', description: 'Ties together every event that stems from one HTTP request.' },
            'causation-id': { type: 'string', description: 'eventId of the event that caused this one; absent when an HTTP request did.' },
            traceparent: { type: 'string', description: 'W3C Trace Context: one trace id per saga, a span id per hop.' },
          },
        },
      },
    },
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}

if (import.meta.main) {
  const reactions = readReactions()
  const outputs = [[SAGA_DOC, renderSagaDoc(reactions)], [ASYNCAPI_DOC, renderAsyncApi(reactions)]] as const
  if (process.argv.includes('--check')) {
    const stale = outputs.filter(([file, text]) => !existsSync(join(root, file)) || readFileSync(join(root, file), 'utf8') !== text).map(([file]) => file)
    if (stale.length > 0) {
      console.error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale; run: node tools/docs/gen-docs.ts`)
      process.exit(1)
    }
  } else {
    for (const [file, text] of outputs) writeFileSync(join(root, file), text)
  }
}
