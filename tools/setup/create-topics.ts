// Creates every declared topic (packages/contracts/src/topics.ts) that does not exist yet.
import { declaredTopics } from '@choreo/contracts'
import { createKafka, ensureTopics, silentLogger } from '@choreo/messaging'
import { readSettings } from '../lib/settings.ts'

const { brokers, sasl, prefix } = readSettings()
const created = await ensureTopics(createKafka({ clientId: 'choreo-topics', brokers, ...(sasl ? { sasl } : {}) }, silentLogger), declaredTopics(prefix))
console.log(created.length ? `created topics: ${created.join(', ')}` : 'all topics exist')
