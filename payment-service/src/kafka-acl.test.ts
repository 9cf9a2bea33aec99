import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { deadLetterTopic, eventsOf, kafkaGrants, topicOf, type EventType } from '@choreo/contracts'
import { facts, saga } from './saga.ts'

/** Topics payment-service reads: its saga's and its facts consumer's. */
const consumedTopics = [...new Set([...Object.keys(saga), ...Object.keys(facts)].map((t) => topicOf(t as EventType)))].sort()

// infra/kafka-acl/setup.sh cannot run here (no Docker), so its grants are checked against the
// saga they must serve: a step reacting to a new topic without a Read grant would fail only there.
it('the compose ACLs let payment-service write its own topic, read exactly the topics its saga and facts consume, in its two groups', () => {
  const script = readFileSync(new URL('../../infra/kafka-acl/setup.sh', import.meta.url), 'utf8')
  const [own, ...consumed] = script.match(/^service payment-service (.+)$/m)?.[1]?.split(' ') ?? []
  expect(own).toBe(topicOf(eventsOf('payment')[0]!))
  expect(consumed.sort()).toEqual(consumedTopics)
  expect(script).toMatch(/^allow payment-service --operation Read --group payment-service\.facts$/m)
})

it('the native stack grants payment-service exactly its own topic, its dead letters, the topics its saga and facts consume and its two groups', () => {
  const grant = kafkaGrants().find((g) => g.principal === 'payment-service')
  expect(grant?.writes).toEqual([topicOf(eventsOf('payment')[0]!), deadLetterTopic('payment-service')])
  expect([...(grant?.reads ?? [])].sort()).toEqual(consumedTopics)
  expect(grant?.groups).toEqual(['payment-service', 'payment-service.facts'])
})
