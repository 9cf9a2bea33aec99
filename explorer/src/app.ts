// Builds the explorer's Fastify app (routes, session guard, security headers) over the tools' clients; server.ts owns the process.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Clients } from '@choreo/tools/lib/clients.ts'
import { gatherFacts } from '@choreo/tools/lib/saga-facts.ts'
import { buildTrace } from '@choreo/tools/lib/saga-trace.ts'
import { html } from './html.ts'
import { page } from './layout.ts'
import { createOrdersFeed, listOrders } from './orders.ts'
import { ordersPage } from './pages/orders-page.ts'
import { sagaPage } from './pages/saga-page.ts'
import { registerSession } from './session.ts'

export interface ExplorerOptions {
  clients: Clients
  jwtSecret: string
  kcatConfig: string
  logger: FastifyServerOptions['logger']
}

const ASSETS: Record<string, string> = { 'explorer.css': 'text/css; charset=utf-8', 'explorer.js': 'text/javascript; charset=utf-8' }

// Nothing from outside the machine, no inline script or style: an injected <script> could not run even if it escaped the escaping.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // The login URL carries a token: no page sends it on as a referrer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

const SEARCH = '^[A-Za-z0-9_-]*$'
const OrdersQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 64, pattern: SEARCH })) }, { additionalProperties: false })
const OrderParams = Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) })
const OrderQuery = Type.Object({ reveal: Type.Optional(Type.Literal('1')) }, { additionalProperties: false })

export async function buildExplorer(options: ExplorerOptions): Promise<FastifyInstance> {
  const { clients } = options
  const app = Fastify({ logger: options.logger, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } })
  const assets = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, readFileSync(join(import.meta.dirname, 'assets', name), 'utf8')]))
  const feed = createOrdersFeed(clients, (err) => app.log.error({ err }, 'orders feed'))
  // Open event streams would hold the close up: they end first.
  const streams = new Set<import('node:http').ServerResponse>()
  app.addHook('preClose', async () => { for (const s of streams) s.end() })
  app.addHook('onClose', async () => {
    feed.close()
    await clients.close()
  })
  app.addHook('onSend', async (_request, reply) => { void reply.headers(SECURITY_HEADERS) })
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.validation ? 400 : err.statusCode && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) request.log.error({ err }, 'explorer error')
    const message = status === 500 ? 'internal error (see the explorer\'s log)' : err.message
    return reply.status(status).type('text/html; charset=utf-8').send(html`<!doctype html><meta charset="utf-8"><title>${status}</title><h1>${status}</h1><p>${message}</p>`.value)
  })

  // Public: ./choreo status and the launcher ask whether the explorer is up, and learn nothing else.
  app.get('/health', async () => ({ status: 'ok' }))

  await app.register(async (admin) => {
    registerSession(admin, options.jwtSecret)
    const render = (title: string, current: string, admin: string, body: Parameters<typeof page>[1]) => page(title, body, { admin, current })

    admin.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
      const type = ASSETS[request.params.file]
      if (!type) return reply.status(404).send('not found')
      return reply.type(type).send(assets[request.params.file])
    })

    admin.get<{ Querystring: Static<typeof OrdersQuery> }>('/', { schema: { querystring: OrdersQuery } }, async (request, reply) => {
      const search = request.query.q ?? ''
      const rows = await listOrders(clients.db('order-service'), search, feed.stuck())
      return reply.type('text/html; charset=utf-8').send(render('Orders', '/', request.admin, ordersPage(rows, search)))
    })

    // Server-sent events: each order that changes, as JSON, until the page goes away.
    admin.get('/events/orders', (request, reply) => {
      reply.hijack()
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...SECURITY_HEADERS })
      reply.raw.write('retry: 2000\n\n')
      const unsubscribe = feed.subscribe((row) => { reply.raw.write(`event: order\ndata: ${JSON.stringify(row)}\n\n`) })
      streams.add(reply.raw)
      request.raw.on('close', () => {
        unsubscribe()
        streams.delete(reply.raw)
      })
    })

    admin.get<{ Params: Static<typeof OrderParams>; Querystring: Static<typeof OrderQuery> }>('/orders/:orderId',
      { schema: { params: OrderParams, querystring: OrderQuery } }, async (request, reply) => {
        const { orderId } = request.params
        const { surroundings, facts } = await gatherFacts(clients, [orderId])
        const orderFacts = facts.get(orderId)!
        const trace = buildTrace(orderFacts, surroundings)
        const body = sagaPage(orderFacts, trace, { reveal: request.query.reveal === '1', kcatConfig: options.kcatConfig, prefix: clients.settings.prefix })
        return reply.type('text/html; charset=utf-8').send(render(`Order ${orderId}`, '', request.admin, body))
      })
  })
  return app
}
