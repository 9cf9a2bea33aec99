// Creates every declared topic (packages/contracts/src/topics.ts) that does not exist yet.
import { declaredTopics } from '@choreo/contracts'
import { createKafka, ensureTopics, silentLogger } from '@choreo/messaging'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
const created = await ensureTopics(createKafka({ clientId: 'choreo-topics', brokers }, silentLogger), declaredTopics(process.env.TOPIC_PREFIX ?? ''))
console.log(created.length ? `created topics: ${created.join(', ')}` : 'all topics exist')
