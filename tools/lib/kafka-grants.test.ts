// Each service's Kafka grants, checked against its saga tables: what it reads is what its pages consume.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { deadLetterTopic, factsGroupOf, kafkaGrants, topicOf, type EventType } from '@choreo/contracts'
import { topicsOf, type Saga } from '@choreo/messaging'
import { factsOf, sagas, services } from './services.ts'

/** The topics a service's pages consume (its saga's, and its facts consumer's) and the topic its steps write. */
function expected(service: (typeof services)[number]) {
  const pages: Saga[] = [sagas[service], ...(factsOf[service] ? [factsOf[service]] : [])]
  const emitted = pages.flatMap((page) => Object.values(page).flatMap((step) => step.emits))
  return {
    reads: [...new Set(pages.flatMap((page) => topicsOf(page, '')))].sort(),
    writes: [...new Set(emitted.map((type: EventType) => topicOf(type)))],
    groups: [service, ...(factsOf[service] ? [factsGroupOf(service)] : [])],
  }
}

// infra/kafka-acl/setup.sh cannot run here (no Docker), so its grants are checked against the
// saga they must serve: a step reacting to a new topic without a Read grant would fail only there.
describe.each(services)('%s', (service) => {
  it('the compose ACLs let it write its own topic, read exactly the topics its saga tables consume, in its groups', () => {
    const script = readFileSync(new URL('../../infra/kafka-acl/setup.sh', import.meta.url), 'utf8')
    const [own, ...consumed] = script.match(new RegExp(`^service ${service} (.+)$`, 'm'))?.[1]?.split(' ') ?? []
    const { reads, writes, groups } = expected(service)
    expect([own]).toEqual(writes)
    expect(consumed.sort()).toEqual(reads)
    for (const group of groups.slice(1)) expect(script).toContain(`allow ${service} --operation Read --group ${group}\n`)
  })

  it('the native stack grants it exactly its own topic, its dead letters, the topics its saga tables consume and its groups', () => {
    const grant = kafkaGrants().find((g) => g.principal === service)
    const { reads, writes, groups } = expected(service)
    expect(grant?.writes).toEqual([...writes, deadLetterTopic(service)])
    expect([...(grant?.reads ?? [])].sort()).toEqual(reads)
    expect(grant?.groups).toEqual(groups)
  })
})
