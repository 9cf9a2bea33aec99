// What a chaos run owns on the shared stack (three databases, a topic prefix, consumer groups), made at its start and released at its end.
import type { Knex } from 'knex'
import { declaredTopics, deadLetterTopic, eventTopics, prefixed } from '@choreo/contracts'
import { ensureTopics } from '@choreo/messaging'
import { createDatabases, createDb, databaseUrl, dropDatabases } from '@choreo/platform'
import type { OffsetsAdmin } from '@choreo/messaging/operations'
import type { Kafka } from '../lib/clients.ts'
import { SERVICES, type Service } from './plan.ts'

export type Db = Knex

export interface PostgresServer {
  host: string
  port: number
  user: string
}

/** What a run owns on the shared stack: three databases, a topic prefix, consumer groups, ports. */
export interface RunResources {
  prefix: string
  databaseUrls: Record<Service, string>
  /** Pools the runner reads the databases through (snapshot, drain, deliveries). */
  dbs: Record<Service, Db>
  groups: Record<Service, string>
  eventTopics: string[]
  deadLetterTopics: string[]
  /** Drops the databases, deletes the topics and the consumer groups. */
  release(): Promise<void>
  /** Closes the runner's pools only (--keep). */
  close(): Promise<void>
}

// Pools of the runner itself: a few connections each, the services need the rest.
const RUNNER_POOL_MAX = 3

const serverUrlOf = (server: PostgresServer) => `postgres://${server.user}@${server.host}:${server.port}/postgres`

/** Creates the run's databases (chaos_<run>_<service>) and its topics (chaos-<run>.<topic>). */
export async function createRunResources(deps: { runId: string; postgres: PostgresServer; kafka: Kafka; offsets: OffsetsAdmin; log(message: string): void }): Promise<RunResources> {
  const { runId, postgres, kafka, offsets, log } = deps
  const prefix = `chaos-${runId}.`
  const names = Object.fromEntries(SERVICES.map((s) => [s, `chaos_${runId.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${s.replace('-service', '')}`])) as Record<Service, string>
  // knex's own warnings (a pooled connection dropped by a PostgreSQL restart) go to the run's log:
  // knex prints them on stdout, where the summary line goes.
  const serverUrl = serverUrlOf(postgres)
  const dropRunDatabases = () => dropDatabases(serverUrl, Object.values(names), { log })
  // Topics first: with Kafka away the run fails before it has made anything to clean up.
  await ensureTopics(kafka, declaredTopics(prefix))
  try {
    await createDatabases(serverUrl, Object.values(names), { log })
  } catch (err) {
    await dropRunDatabases()
    throw err
  }
  const databaseUrls = Object.fromEntries(SERVICES.map((s) => [s, databaseUrl(serverUrl, names[s])])) as Record<Service, string>
  const dbs = Object.fromEntries(SERVICES.map((s) => [s, createDb({ client: 'pg', url: databaseUrls[s], poolMax: RUNNER_POOL_MAX, log })])) as Record<Service, Db>
  const groups = Object.fromEntries(SERVICES.map((s) => [s, prefixed(prefix, s)])) as Record<Service, string>
  const topics = {
    eventTopics: Object.values(eventTopics).map((t) => prefixed(prefix, t)),
    deadLetterTopics: SERVICES.map((s) => prefixed(prefix, deadLetterTopic(s))),
  }

  async function close(): Promise<void> {
    await Promise.all(Object.values(dbs).map((db) => db.destroy()))
  }

  return {
    prefix, databaseUrls, dbs, groups, ...topics, close,
    async release() {
      await close()
      await dropRunDatabases()
      const admin = kafka.admin()
      await admin.connect()
      try {
        await admin.deleteTopics({ topics: [...topics.eventTopics, ...topics.deadLetterTopics] })
      } finally {
        await admin.disconnect()
      }
      for (const group of Object.values(groups)) await offsets.deleteGroup(group).catch(() => {})
    },
  }
}
