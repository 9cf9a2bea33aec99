// The `metrics` plugin: one Prometheus registry per app, labelled with the service, served at GET /metrics.
import fp from 'fastify-plugin'
import client from 'prom-client'

export interface MetricsPluginOptions {
  /** The `service` label of every metric. */
  service: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The registry other plugins add their metrics to (messaging's, a service's own). */
    metrics: client.Registry
  }
}

/**
 * Creates `app.metrics` with the process' default metrics in it, and the statements the app's
 * database pool (`app.db`, when registered first) has sent; serves it in Prometheus' text format.
 */
export const metricsPlugin = fp<MetricsPluginOptions>(async (app, { service }) => {
  const metrics = new client.Registry()
  metrics.setDefaultLabels({ service })
  client.collectDefaultMetrics({ register: metrics })
  app.decorate('metrics', metrics)
  if (app.hasDecorator('db')) {
    const statements = new client.Counter({
      name: 'db_statements_total',
      help: 'Statements sent to the database, BEGIN and COMMIT included: one round trip each.',
      registers: [metrics],
    })
    app.db.on('query', () => statements.inc())
  }

  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.metrics())
  })
}, { name: 'metrics', fastify: '5.x' })
