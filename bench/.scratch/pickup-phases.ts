import { randomUUID } from 'node:crypto'
import { createKafka, createMessaging, messagingTables, silentLogger } from '@choreo/messaging'
import { benchStack, createBenchDatabase, createBenchTopics } from '../stack.ts'
import { benchCause, orderEvent } from '../order-events.ts'
import { nowMs, openLoop } from '../open-loop.ts'
const stack = benchStack()
const d = await createBenchDatabase(stack, 'pp', 12)
const t = await createBenchTopics(stack, 'pp')
await messagingTables.up(d.db)
const times = new Map<string, number[]>(); const started = new Map<string, number>()
d.db.on('query', (q: { __knexQueryUid: string; sql: string }) => started.set(q.__knexQueryUid, performance.now()))
d.db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => { const k = q.sql.slice(0, 30); const a = times.get(k) ?? []; a.push(performance.now() - (started.get(q.__knexQueryUid) ?? 0)); times.set(k, a) })
const m = createMessaging(d.db, { service: 'pp', brokers: stack.brokers, registryUrl: stack.registryUrl, publishes: ['OrderPlaced'], topicPrefix: t.prefix }, silentLogger)
await m.start()
const kafka = createKafka({ clientId: 'pp', brokers: stack.brokers }, silentLogger)
const arr = new Map<string, number>()
const consumer = kafka.consumer({ groupId: t.prefix + 'g' })
const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()))
await consumer.connect(); await consumer.subscribe({ topics: [t.prefix + 'order.events'], fromBeginning: true })
await consumer.run({ eachBatch: async ({ batch }) => { const at = nowMs(); for (const x of batch.messages) arr.set(x.headers!['event-id']!.toString(), at) } })
await joined
const commits = new Map<string, number>()
await openLoop({ rate: Number(process.argv[2] ?? 200), seconds: 10, operation: async () => {
  const [e] = await m.transaction((trx) => m.outbox.enqueue(trx, orderEvent(randomUUID(), 0), benchCause()))
  commits.set(e!.eventId, nowMs())
} })
await new Promise((r) => setTimeout(r, 3000))
const lat = [...commits].map(([k, s]) => (arr.get(k) ?? NaN) - s).sort((a, b) => a - b)
console.log('e2e p50', lat[Math.floor(lat.length / 2)]?.toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)]?.toFixed(1))
for (const [k, a] of times) { a.sort((x, y) => x - y); console.log(k.padEnd(32), 'n', a.length, 'p50', a[Math.floor(a.length / 2)]!.toFixed(1), 'p99', a[Math.floor(a.length * 0.99)]!.toFixed(1)) }
await consumer.disconnect(); await m.close(); await t.drop(); await d.drop()
