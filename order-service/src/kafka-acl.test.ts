import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { deadLetterTopic, eventsOf, kafkaGrants, topicOf, type EventType } from '@choreo/contracts'
import { saga } from './saga.ts'

// infra/kafka-acl/setup.sh cannot run here (no Docker), so its grants are checked against the
// saga they must serve: a step reacting to a new topic without a Read grant would fail only there.
it('the compose ACLs let order-service write its own topic and read exactly the topics its saga consumes', () => {
  const script = readFileSync(new URL('../../infra/kafka-acl/setup.sh', import.meta.url), 'utf8')
  const [own, ...consumed] = script.match(/^service order-service (.+)$/m)?.[1]?.split(' ') ?? []
  expect(own).toBe(topicOf(eventsOf('order')[0]!))
  expect(consumed.sort()).toEqual([...new Set((Object.keys(saga) as EventType[]).map(topicOf))].sort())
})

it('the native stack grants order-service exactly its own topic, its dead letters, the topics its saga consumes and its own group', () => {
  const grant = kafkaGrants().find((g) => g.principal === 'order-service')
  expect(grant?.writes).toEqual([topicOf(eventsOf('order')[0]!), deadLetterTopic('order-service')])
  expect([...(grant?.reads ?? [])].sort()).toEqual([...new Set((Object.keys(saga) as EventType[]).map(topicOf))].sort())
  expect(grant?.groups).toEqual(['order-service'])
})
