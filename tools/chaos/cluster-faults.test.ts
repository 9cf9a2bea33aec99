import { describe, expect, it } from 'vitest'
import { coordinatorPartition, movable, underReplicated } from './cluster-faults.ts'
import { parseKcatMetadata } from './stack-control.ts'

const KCAT = `Metadata for all topics (from broker 1: 127.0.0.1:29092/1):
 3 brokers:
  broker 1 at 127.0.0.1:29092 (controller)
  broker 2 at 127.0.0.1:29093
 3 topics:
  topic "chaos-r.stock.events" with 2 partitions:
    partition 0, leader 3, replicas: 3,1,2, isrs: 3,1,2
    partition 1, leader 1, replicas: 1,2,3, isrs: 1,2
  topic "__consumer_offsets" with 3 partitions:
    partition 0, leader 2, replicas: 2,3,1, isrs: 2,3,1
    partition 1, leader -1, replicas: 1,2,3, isrs: 1, Broker: Leader not available
    partition 2, leader 1, replicas: 1,3,2, isrs: 1,3,2
  topic "other" with 1 partitions:
    partition 0, leader 1, replicas: 1,2,3, isrs: 1,2,3
`

describe('the cluster as kcat describes it', () => {
  const parts = parseKcatMetadata(KCAT)

  it('reads every partition with its leader, replicas and in-sync replicas', () => {
    expect(parts).toHaveLength(6)
    expect(parts[1]).toEqual({ topic: 'chaos-r.stock.events', partition: 1, leader: 1, replicas: [1, 2, 3], isr: [1, 2] })
    expect(parts[3]).toMatchObject({ topic: '__consumer_offsets', partition: 1, leader: -1, isr: [1] })
  })

  it('calls a partition under-replicated while a replica is out of its ISR or it has no leader', () => {
    expect(underReplicated(parts).map((p) => `${p.topic}-${p.partition}`)).toEqual(['chaos-r.stock.events-1', '__consumer_offsets-1'])
  })

  it('moves leaders only of the run\'s topics and its groups\' coordinators, with another in-sync replica to take over', () => {
    const group = 'chaos-r.stock-service'
    const names = movable(parts, ['chaos-r.stock.events'], [group]).map((p) => `${p.topic}-${p.partition}`)
    expect(names).toEqual([...(coordinatorPartition(group, 3) === 1 ? [] : [`__consumer_offsets-${coordinatorPartition(group, 3)}`]), 'chaos-r.stock.events-0', 'chaos-r.stock.events-1'])
  })

  it('finds a group\'s coordinator partition as Kafka does (Java String.hashCode)', () => {
    // "hello".hashCode() = 99162322; "polygenelubricants".hashCode() = Integer.MIN_VALUE
    expect(coordinatorPartition('hello', 50)).toBe(99162322 % 50)
    expect(coordinatorPartition('polygenelubricants', 10)).toBe(0)
    // a negative hash: "chaos-1a.order-service".hashCode() = -2132273467, Math.abs % 50 = 17 (from Java 17)
    expect(coordinatorPartition('chaos-1a.order-service', 50)).toBe(17)
  })
})
