// The `order-metrics` plugin: order-service's own metrics (orders by status, saga durations) in the app's registry.
import fp from 'fastify-plugin'
import { registerOrderMetrics } from '../metrics.ts'

/** Adds the metrics read from the orders database to `app.metrics`, served at GET /metrics with the rest. */
export const orderMetricsPlugin = fp(async (app) => {
  registerOrderMetrics(app.metrics, app.db)
}, { name: 'order-metrics', dependencies: ['db', 'metrics'], fastify: '5.x' })
