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
 * a Write lets a producer describe it and, since Kafka 3.0, produce idempotently.
 */
export async function grantAcls(kafka: Kafka, grants: readonly KafkaGrant[]): Promise<number> {
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
    return acl.length
  } finally {
    await admin.disconnect()
  }
}
