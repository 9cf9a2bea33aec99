import { createKafka, silentLogger } from '@choreo/messaging'
const kafka = createKafka({ clientId: 'x', brokers: ['127.0.0.1:9092'] }, silentLogger)
const admin = kafka.admin(); await admin.connect()
const topics = (await admin.listTopics()).filter((t) => t.startsWith('bench-'))
console.log(topics)
if (topics.length) await admin.deleteTopics({ topics })
await admin.disconnect()
