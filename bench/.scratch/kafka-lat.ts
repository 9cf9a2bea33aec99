import { createKafka, createProducer, silentLogger } from '@choreo/messaging'
import { createBenchTopics, benchStack } from '../stack.ts'
import { nowMs } from '../open-loop.ts'
const stack = benchStack()
const kafka = createKafka({ clientId: 'lat', brokers: stack.brokers }, silentLogger)
const t = await createBenchTopics(stack, 'lat')
const topic = t.prefix + 'order.events'
const consumer = kafka.consumer({ groupId: topic + '.g', maxWaitTimeInMs: Number(process.argv[2] ?? 5000) })
const arr = new Map<string, number>()
const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()))
await consumer.connect(); await consumer.subscribe({ topics: [topic], fromBeginning: true })
await consumer.run({ eachBatch: async ({ batch }) => { const at = nowMs(); for (const m of batch.messages) arr.set(m.key!.toString(), at) } })
await joined
const p = createProducer(kafka); await p.connect()
const sent = new Map<string, number>(); const acked: number[] = []
for (let i = 0; i < 200; i++) { const s = nowMs(); sent.set(String(i), s); await p.send({ topic, acks: -1, messages: [{ key: String(i), value: 'x' }] }); acked.push(nowMs() - s); await new Promise((r) => setTimeout(r, 20)) }
await new Promise((r) => setTimeout(r, 3000))
const lat = [...sent].map(([k, s]) => (arr.get(k) ?? NaN) - s).sort((a, b) => a - b)
acked.sort((a, b) => a - b)
console.log('ack p50', acked[100]?.toFixed(1), 'p99', acked[198]?.toFixed(1), '| e2e p50', lat[100]?.toFixed(1), 'p99', lat[198]?.toFixed(1))
await p.disconnect(); await consumer.disconnect(); await t.drop()
