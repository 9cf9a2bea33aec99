import client from 'prom-client'
import { createEventCodec, createKafka, createMessagingMetrics, createOutbox, createProducer, createRelay, defaultRelayOptions, messagingTables, postgresDialect, silentLogger } from '@choreo/messaging'
import { createRelay as createOrigRelay } from './relay-orig.ts'
import { BENCH_EVENT_TYPES, fillOutbox } from '../order-events.ts'
import { benchStack, createBenchDatabase, createBenchTopics } from '../stack.ts'
const N = Number(process.argv[2] ?? 30000)
const batch = Number(process.argv[3] ?? 1000)
const order = (process.argv[4] ?? 'orig,new,orig,new').split(',')
const stack = benchStack()
const kafka = createKafka({ clientId: 'x', brokers: stack.brokers }, silentLogger)
const codec = createEventCodec({ registryUrl: stack.registryUrl })
await codec.register([...BENCH_EVENT_TYPES])
for (const which of order) {
  const d = await createBenchDatabase(stack, 'ab', 4)
  const t = await createBenchTopics(stack, 'ab')
  await messagingTables.up(d.db)
  await fillOutbox(d.db, createOutbox({ codec, dialect: postgresDialect, topicPrefix: t.prefix }), { events: N, keys: 10000, perTransaction: 1000 })
  await d.db.raw('VACUUM ANALYZE outbox')
  const metrics = createMessagingMetrics(new client.Registry())
  const make = which === 'orig' ? createOrigRelay : createRelay
  const relay = make({ db: d.db, dialect: postgresDialect, codec, logger: silentLogger, metrics, createProducer: () => createProducer(kafka), options: { ...defaultRelayOptions, batchSize: batch, name: 'b' } } as Parameters<typeof createRelay>[0])
  const s = performance.now()
  relay.start()
  while (((await metrics.published.get()).values[0]?.value ?? 0) < N) await new Promise((r) => setTimeout(r, 20))
  const el = performance.now() - s
  await relay.stop()
  console.log(which, 'batch', batch, 'events/s', Math.round(N / el * 1000))
  await t.drop(); await d.drop()
}
