import client from 'prom-client'
import { createEventCodec, createKafka, createMessagingMetrics, createOutbox, createProducer, createRelay, defaultRelayOptions, messagingTables, postgresDialect, silentLogger } from '@choreo/messaging'
import { BENCH_EVENT_TYPES, fillOutbox } from '../order-events.ts'
import { benchStack, createBenchDatabase, createBenchTopics } from '../stack.ts'
const N = Number(process.argv[2] ?? 20000)
const stack = benchStack()
const kafka = createKafka({ clientId: 'x', brokers: stack.brokers }, silentLogger)
const codec = createEventCodec({ registryUrl: stack.registryUrl })
await codec.register([...BENCH_EVENT_TYPES])
const d = await createBenchDatabase(stack, 'phases', 4)
const t = await createBenchTopics(stack, 'phases')
await messagingTables.up(d.db)
await fillOutbox(d.db, createOutbox({ codec, dialect: postgresDialect, topicPrefix: t.prefix }), { events: N, keys: 10000, perTransaction: 1000 })
await d.db.raw('VACUUM ANALYZE outbox')
const times = new Map<string, number[]>()
const started = new Map<string, number>()
d.db.on('query', (q: { __knexQueryUid: string; sql: string }) => started.set(q.__knexQueryUid, performance.now()))
d.db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => { const k = q.sql.slice(0, 40); const a = times.get(k) ?? []; a.push(performance.now() - (started.get(q.__knexQueryUid) ?? 0)); times.set(k, a) })
const metrics = createMessagingMetrics(new client.Registry())
const wrapped = () => { const p = createProducer(kafka); const orig = p.sendBatch.bind(p); p.sendBatch = async (b) => { const s = performance.now(); const r = await orig(b); const a = times.get('sendBatch') ?? []; a.push(performance.now() - s); times.set('sendBatch', a); return r }; return p }
const relay = createRelay({ db: d.db, dialect: postgresDialect, codec, logger: silentLogger, metrics, createProducer: wrapped, options: { ...defaultRelayOptions, name: 'b' } })
const s = performance.now()
relay.start()
while (((await metrics.published.get()).values[0]?.value ?? 0) < N) await new Promise((r) => setTimeout(r, 20))
const el = performance.now() - s
await relay.stop()
console.log('events/s', Math.round(N / el * 1000))
for (const [k, a] of times) console.log(k.padEnd(42), 'n', a.length, 'mean', (a.reduce((x, y) => x + y, 0) / a.length).toFixed(1), 'max', Math.max(...a).toFixed(1))
await t.drop(); await d.drop()
