// The `health` plugin: GET /health, the database's and the broker's state, each checked on its own within a bound.
import fp from 'fastify-plugin'
import { databaseReachable } from '../db.ts'

/**
 * Each check of GET /health gives its answer within this, or counts as down: a broker that takes
 * its time must not hide a healthy database (nor the reverse), and a prober gets an answer.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 2000

async function within(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([check, late])
  } finally {
    clearTimeout(timer)
  }
}

const HealthBody = { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, kafka: { type: 'string' }, relay: { type: 'string' } } }

/** Answers 200 when the database and the broker both answer, 503 otherwise; `relay` says whether this instance publishes. */
export const healthPlugin = fp(async (app) => {
  app.get('/health', {
    config: { access: 'public' },
    schema: { summary: 'Database and Kafka state', response: { 200: HealthBody, 503: HealthBody } },
  }, async (_request, reply) => {
    const [database, kafka] = await Promise.all([
      within(databaseReachable(app.db), HEALTH_CHECK_TIMEOUT_MS),
      within(app.messaging.kafkaReachable(), HEALTH_CHECK_TIMEOUT_MS),
    ])
    const body = {
      status: database && kafka ? 'up' : 'down',
      database: database ? 'up' : 'down',
      kafka: kafka ? 'up' : 'down',
      relay: app.messaging.relay.holdsLease ? 'active' : 'standby',
    }
    return reply.status(database && kafka ? 200 : 503).send(body)
  })
}, { name: 'health', dependencies: ['db', 'outbox'], fastify: '5.x' })
