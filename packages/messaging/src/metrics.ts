// The Prometheus metrics of the outbox, relay and consumers: published, parked, consumed, retried, lag, and the backlog read at scrape time.
import client from 'prom-client'
import type { Knex } from 'knex'

/** Prometheus metrics of the outbox, relay and consumers, registered on the service's registry. */
export function createMessagingMetrics(registry: client.Registry, db?: Knex) {
  const published = new client.Counter({
    name: 'outbox_published_total', help: 'Events the relay published to Kafka.', registers: [registry],
  })
  const publishLatency = new client.Histogram({
    name: 'outbox_publish_latency_seconds',
    help: 'From the outbox insert to the broker acknowledging the event.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const parked = new client.Counter({
    name: 'outbox_parked_total', help: 'Outbox rows parked because they can never be published (see ./choreo dlq).', registers: [registry],
  })
  const consumed = new client.Counter({
    name: 'consumer_messages_total',
    help: 'Messages consumed, by group and result (handled, deduplicated, ignored, dead_lettered, refused: dead-lettered because the event does not fit what the service knows).',
    labelNames: ['group', 'result'], registers: [registry],
  })
  const retried = new client.Counter({
    name: 'consumer_retries_total', help: 'Retries of a message after a retriable failure.',
    labelNames: ['group', 'kind'], registers: [registry],
  })
  const lag = new client.Gauge({
    name: 'consumer_lag', help: 'Messages behind the end of the partition, after the last batch.',
    labelNames: ['group', 'topic', 'partition'], registers: [registry],
  })
  if (db) {
    // Read at scrape time, so the figures are never stale.
    new client.Gauge({
      name: 'outbox_backlog_rows', help: 'Outbox rows not yet marked published, parked ones left out (an acknowledged batch waits up to the relay\'s markDelayMs for its mark).', registers: [registry],
      async collect() { this.set(Number((await db('outbox').whereNull('published_at').whereNull('parked_at').count({ n: '*' }))[0]?.n ?? 0)) },
    })
    new client.Gauge({
      name: 'outbox_parked_rows', help: 'Outbox rows parked and neither retried nor discarded yet.', registers: [registry],
      async collect() { this.set(Number((await db('outbox').whereNotNull('parked_at').whereNull('discarded_at').count({ n: '*' }))[0]?.n ?? 0)) },
    })
    new client.Gauge({
      name: 'outbox_oldest_unpublished_seconds', help: 'Age of the oldest outbox row not yet marked published, parked ones left out (an acknowledged batch waits up to the relay\'s markDelayMs for its mark).', registers: [registry],
      async collect() {
        const row = await db('outbox').whereNull('published_at').whereNull('parked_at').orderBy('id').first('created_at')
        this.set(row ? (Date.now() - new Date(row.created_at).getTime()) / 1000 : 0)
      },
    })
  }
  return { published, publishLatency, parked, consumed, retried, lag }
}

export type MessagingMetrics = ReturnType<typeof createMessagingMetrics>
