// Kafka's setup: declared topics created until each partition is led, and the services' ACL grants applied until the broker enforces them.
import kafkajs, { type Kafka } from 'kafkajs'
import type { KafkaGrant, TopicSpec } from '@choreo/contracts'

/**
 * Creates the topics that do not exist yet (an existing topic is left as it is), and returns once
 * every partition of them has a leader.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], options: { timeoutMs?: number } = {}): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: false, topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })) })
      await untilLed(admin, missing, options.timeoutMs ?? 60_000)
    }
    return missing.map((t) => t.topic)
  } finally {
    await admin.disconnect()
  }
}

/**
 * kafkajs' own wait (`waitForLeaders`) retries only LEADER_NOT_AVAILABLE: on a cluster, a broker
 * that has not yet heard of a topic the controller just created answers UNKNOWN_TOPIC_OR_PARTITION
 * and the creation fails (seen in CI on three nodes). This asks until every partition is led.
 */
async function untilLed(admin: kafkajs.Admin, topics: readonly TopicSpec[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) })
      const led = (spec: TopicSpec) => {
        const partitions = found.find((f) => f.name === spec.topic)?.partitions ?? []
        return partitions.length === spec.partitions && partitions.every((p) => p.leader >= 0)
      }
      if (topics.every(led)) return
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    if (Date.now() > deadline) throw new Error(`topics without a leader for every partition after ${timeoutMs} ms: ${topics.map((t) => t.topic).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

// kafkajs is CommonJS, and Node finds none of its ACL enums as named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs

/**
 * Grants each principal what its KafkaGrant says, as literal ACLs (Kafka skips one that
 * exists, so this runs on every start). A Read on a topic lets a consumer describe and fetch it,
 * a Write lets a producer describe it and, since Kafka 3.0, produce idempotently. Returns once the
 * broker enforces them all (`untilEnforced`).
 */
export async function grantAcls(kafka: Kafka, grants: readonly KafkaGrant[], options: { timeoutMs?: number } = {}): Promise<number> {
  const allow = (principal: string, resourceType: kafkajs.AclResourceTypes, resourceName: string, operation: kafkajs.AclOperationTypes) => ({
    principal: `User:${principal}`, host: '*', resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL,
    operation, permissionType: AclPermissionTypes.ALLOW,
  })
  const acl = grants.flatMap((g) => [
    ...g.writes.map((topic) => allow(g.principal, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE)),
    ...g.reads.map((topic) => allow(g.principal, AclResourceTypes.TOPIC, topic, AclOperationTypes.READ)),
    ...g.groups.map((group) => allow(g.principal, AclResourceTypes.GROUP, group, AclOperationTypes.READ)),
  ])
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createAcls({ acl })
    await untilEnforced(admin, acl, options.timeoutMs ?? 30_000)
    return acl.length
  } finally {
    await admin.disconnect()
  }
}

type Acl = Parameters<kafkajs.Admin['createAcls']>[0]['acl'][number]

/**
 * A new ACL is committed by the controller, then applied by each broker as it reads the metadata
 * log: a broker still replaying it (just restarted) refuses a service started at once
 * (TOPIC_AUTHORIZATION_FAILED on its first metadata request). DescribeAcls is answered from the
 * broker's own authorizer, so what it lists is what it enforces.
 */
async function untilEnforced(admin: kafkajs.Admin, acl: readonly Acl[], timeoutMs: number): Promise<void> {
  const key = (a: { principal: string; resourceType: number; resourceName: string; operation: number }) =>
    `${a.principal}|${a.resourceType}|${a.resourceName}|${a.operation}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ALLOW,
    })
    const enforced = new Set(resources.flatMap((r) => r.acls.map((a) => key({ ...a, resourceType: r.resourceType, resourceName: r.resourceName }))))
    const missing = acl.filter((a) => !enforced.has(key(a)))
    if (missing.length === 0) return
    if (Date.now() > deadline) throw new Error(`the broker does not enforce ${missing.length} granted ACLs after ${timeoutMs} ms, e.g. ${key(missing[0]!)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
