// Serving a built app as the process: listen, and on SIGTERM/SIGINT close it gracefully within a deadline, then exit.
import type { FastifyInstance } from 'fastify'

/**
 * Listens, and on SIGTERM/SIGINT closes the app within the timeout, then exits. Closing runs the
 * plugins' hooks: a service's preClose work first (stock's fulfilment poller), then the `messaging`
 * plugin stops consuming, finishes the batch and flushes the producer, then the `db` plugin closes the pool.
 */
export async function serve(app: FastifyInstance, options: { host: string; port: number; shutdownTimeoutMs: number }): Promise<void> {
  let closing = false
  async function shutdown(signal: string): Promise<void> {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out; exiting')
      process.exit(1)
    }, options.shutdownTimeoutMs)
    timer.unref()
    try {
      await app.close()
      process.exit(0)
    } catch (err) {
      app.log.error({ err }, 'error while shutting down')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
  await app.listen({ host: options.host, port: options.port })
}
