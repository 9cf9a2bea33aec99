// Grants each service its Kafka ACLs (packages/contracts/src/kafka-grants.ts), as the operator.
import { kafkaGrants } from '@choreo/contracts'
import { createKafka, silentLogger } from '@choreo/messaging'
import { grantAcls } from '@choreo/messaging/operations'
import { readSettings } from '../lib/settings.ts'

const { brokers, sasl, prefix } = readSettings()
const grants = kafkaGrants(prefix)
const count = await grantAcls(createKafka({ clientId: 'choreo-acls', brokers, ...(sasl ? { sasl } : {}) }, silentLogger), grants)
console.log(`ACLs in place: ${count}, for ${grants.map((g) => g.principal).join(', ')}`)
