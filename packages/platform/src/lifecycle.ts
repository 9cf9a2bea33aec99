import type { FastifyInstance } from 'fastify'

/**
 * Owns the process: listens, and on SIGTERM/SIGINT closes the app (which stops consuming,
 * finishes the batch, flushes the producer, closes the pool, in that order through onClose
 * hooks) within the timeout, then exits.
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
