// What a command talks to (Kafka, the registry's codec, offsets, the service databases), opened from the settings, each database on first use.
import type { Knex } from 'knex'
import { createEventCodec, createKafka, type EventCodec } from '@choreo/messaging'
import { createOffsetsAdmin, type OffsetsAdmin } from '@choreo/messaging/operations'
import { createDb } from '@choreo/platform'
import type { ServiceName } from './services.ts'
import type { Settings } from './settings.ts'
import { stderrLogger } from './stderr-logger.ts'

export type Kafka = ReturnType<typeof createKafka>

// A command reads a little from each database: a small pool is plenty.
const POOL_MAX = 2

/** What a command talks to: Kafka, the registry and the service databases, each opened on first use. */
export interface Clients {
  readonly settings: Settings
  readonly kafka: Kafka
  readonly codec: EventCodec
  readonly offsets: OffsetsAdmin
  db(service: ServiceName): Knex
  close(): Promise<void>
}

export function openClients(settings: Settings): Clients {
  const kafka = createKafka({ clientId: 'choreo-tools', brokers: settings.brokers, ...(settings.sasl ? { sasl: settings.sasl } : {}) }, stderrLogger)
  const codec = createEventCodec({ registryUrl: settings.registryUrl })
  const offsets = createOffsetsAdmin(kafka)
  const dbs = new Map<ServiceName, Knex>()
  return {
    settings, kafka, codec, offsets,
    db(service) {
      let db = dbs.get(service)
      if (!db) {
        db = createDb({ client: 'pg', url: settings.databaseUrls[service], poolMax: POOL_MAX })
        dbs.set(service, db)
      }
      return db
    },
    async close() {
      await offsets.close()
      await Promise.all([...dbs.values()].map((db) => db.destroy()))
    },
  }
}
