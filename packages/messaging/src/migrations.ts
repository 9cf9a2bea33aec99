import type { Knex } from 'knex'

/**
 * The outbox and inbox tables, as one knex migration every service lists first.
 * outbox: in the spirit of Debezium's outbox table, plus a publish state, so the relay can
 *   find what is left with a small partial index and purge what is done.
 * inbox: one row per (consumer group, event id) handled; its primary key is the idempotency.
 */
export const messagingTables: Knex.Migration = {
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
