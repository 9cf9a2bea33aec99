import kafkajs, { type Kafka } from 'kafkajs'
import type { KafkaGrant, TopicSpec } from '@choreo/contracts'

/** Creates the topics that do not exist yet; an existing topic is left as it is. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
      })
    }
    return missing.map((t) => t.topic)
  } finally {
    await admin.disconnect()
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
