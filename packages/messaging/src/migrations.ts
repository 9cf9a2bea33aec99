// The outbox and inbox tables, as the knex migrations every service lists first, or made at once in a test's or a tool's database.
import type { Knex } from 'knex'
import { dialectOf } from './dialects/index.ts'

/**
 * The outbox and inbox tables, as one knex migration every service lists first.
 * outbox: in the spirit of Debezium's outbox table, plus a publish state, so the relay can
 *   find what is left with a small partial index and purge what is done.
 * inbox: one row per (consumer group, event id) handled; its primary key is the idempotency.
 */
const messagingTables: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('outbox', (t) => {
      t.bigIncrements('id').primary()
      t.string('event_id', 36).notNullable().unique()
      t.string('aggregate_type', 64).notNullable()
      t.string('aggregate_id', 128).notNullable()
      t.string('event_type', 128).notNullable()
      t.string('topic', 249).notNullable()
      t.jsonb('payload').notNullable()
      t.jsonb('headers').notNullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.timestamp('published_at', { useTz: true }).nullable()
      t.index(['id'], 'outbox_unpublished', { predicate: knex.whereNull('published_at') })
      t.index(['published_at'], 'outbox_published_at')
      t.index(['aggregate_id'], 'outbox_aggregate_id')
    })
    await knex.schema.createTable('inbox', (t) => {
      t.string('consumer_group', 128).notNullable()
      t.string('event_id', 64).notNullable()
      t.string('event_type', 128).notNullable()
      t.string('topic', 249).notNullable()
      t.integer('partition').notNullable()
      t.string('offset', 20).notNullable()
      t.timestamp('handled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.primary(['consumer_group', 'event_id'])
    })
  },
  async down(knex) {
    await knex.schema.dropTable('inbox')
    await knex.schema.dropTable('outbox')
  },
}

/** The inbox is purged by age (consumer.ts, inboxPurge): find a group's old rows without a scan. */
const inboxRetention: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('inbox', (t) => { t.index(['consumer_group', 'handled_at'], 'inbox_handled_at') })
  },
  async down(knex) {
    await knex.schema.alterTable('inbox', (t) => { t.dropIndex(['consumer_group', 'handled_at'], 'inbox_handled_at') })
  },
}

/**
 * SQL Server only: reads of committed rows do not wait for writers, as on PostgreSQL. Without it
 * the relay's read of unpublished rows waits behind every open transaction's outbox insert. Per-key
 * order does not rest on it: enqueue holds the key's lock until commit, so a key's rows commit in
 * id order either way; a lower id committed later is another key's, found by the next read.
 * ALTER DATABASE cannot run in a transaction, and rolls back other sessions' open transactions
 * (WITH ROLLBACK IMMEDIATE: they fail as an outage and are retried); compose's init sets it on
 * creation, so there this does nothing.
 */
export const readCommittedSnapshot: Knex.Migration & { config: { transaction: boolean } } = {
  config: { transaction: false },
  async up(knex) {
    if (dialectOf(knex).name !== 'mssql') return
    await knex.raw(`IF (SELECT is_read_committed_snapshot_on FROM sys.databases WHERE name = DB_NAME()) = 0
      ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE`)
  },
  async down() {},
}

/**
 * The outbox holds each event as it goes on the wire, encoded once at enqueue: the Confluent-framed
 * bytes (`value`) and their schema id. The relay ships them as they are, so an older relay holding
 * the lease during a rolling upgrade never re-encodes a newer build's event with its own schema.
 * Rows written before this migration have no bytes (`value` null): the relay encodes those from
 * `payload` as it always did; that path goes in the release after this one.
 *
 * A row that can never be published (the broker refuses it as too large, its topic does not exist)
 * is parked (`parked_at`, `parked_reason`) instead of being retried forever at the head of every
 * batch; later rows of its key wait behind it, so per-key order holds, and other keys flow. An
 * operator retries it (parked_at cleared) or discards it (`discarded_at`): `./choreo dlq`.
 */
export const outboxEncoded: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('outbox', (t) => {
      t.binary('value').nullable()
      t.integer('schema_id').nullable()
      t.timestamp('parked_at', { useTz: true }).nullable()
      t.string('parked_reason', 2000).nullable()
      t.timestamp('discarded_at', { useTz: true }).nullable()
      // Few rows, looked up per key by every read of unpublished rows (relay.ts, readBatch).
      t.index(['aggregate_id', 'id'], 'outbox_parked', { predicate: knex.whereNotNull('parked_at') })
    })
  },
  async down(knex) {
    await knex.schema.alterTable('outbox', (t) => {
      t.dropIndex(['aggregate_id', 'id'], 'outbox_parked')
      t.dropColumns('value', 'schema_id', 'parked_at', 'parked_reason', 'discarded_at')
    })
  },
}

/** Every service lists these first, in this order; names are recorded in knex_migrations. */
export const messagingMigrations: Record<string, Knex.Migration> = {
  '000_messaging': messagingTables,
  '000_messaging_inbox_retention': inboxRetention,
  '000_messaging_read_committed_snapshot': readCommittedSnapshot,
  '000_messaging_outbox_encoded': outboxEncoded,
}

/** Creates the messaging tables in a database of a test's or a tool's own, without knex_migrations. */
export async function createMessagingTables(db: Knex): Promise<void> {
  for (const migration of Object.values(messagingMigrations)) await migration.up(db)
}
