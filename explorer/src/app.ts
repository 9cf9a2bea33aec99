// Builds the explorer's Fastify app (routes, session guard, security headers) over the tools' clients; server.ts owns the process.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { Type, type Static } from 'typebox'
import { redactingLogger } from '@choreo/platform/http'
import { discardParked, listParked, missingTopics, republish, retryParked, spansOf } from '@choreo/messaging/operations'
import type { Clients } from '@choreo/tools/lib/clients.ts'
import { CommandFailed, UsageError } from '@choreo/tools/lib/command.ts'
import { parkedRows, readLetters, withStates } from '@choreo/tools/lib/dead-letter-reads.ts'
import { deadLetterTopics, parseId, redriveOf } from '@choreo/tools/lib/dead-letters.ts'
import { decodeRecord } from '@choreo/tools/lib/event-record.ts'
import { parseParkedRef } from '@choreo/tools/lib/parked-rows.ts'
import { gatherFacts } from '@choreo/tools/lib/saga-facts.ts'
import { buildTrace } from '@choreo/tools/lib/saga-trace.ts'
import { fileAuditLog } from './audit.ts'
import { html } from './html.ts'
import { page } from './layout.ts'
import { createOrdersFeed, searchOrders } from './orders.ts'
import { deadLettersPage } from './pages/dead-letters-page.ts'
import { ordersPage } from './pages/orders-page.ts'
import { sagaMapPage } from './pages/saga-map-page.ts'
import { sagaPage } from './pages/saga-page.ts'
import { schemasPage } from './pages/schemas-page.ts'
import { topicsPage } from './pages/topics-page.ts'
import { planRedrives } from './redrive.ts'
import { schemaVersions } from './schema-versions.ts'
import { diffLines, registryOf } from './schemas.ts'
import { registerSession } from './session.ts'
import { groupLags, readableTopics, readMessages } from './topics.ts'

export interface ExplorerOptions {
  clients: Clients
  jwtSecret: string
  kcatConfig: string
  /** The JSON-lines file of repairs (who, when, what, result). */
  auditFile: string
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
const RedriveBody = Type.Object({
  /** One dead letter, or a group of them (a fingerprint's). */
  ids: Type.Array(Type.String({ maxLength: 300, pattern: '^[^:]+:[0-9]+:[0-9]+$' }), { minItems: 1, maxItems: 500 }),
  /** The admin confirmed the redrive after its dry run. */
  confirm: Type.Optional(Type.Literal(true)),
  /** The admin saw that it overtakes earlier events of its order, and redrives anyway. */
  overtaking: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
const TopicsQuery = Type.Object({
  topic: Type.Optional(Type.String({ maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$' })),
  partition: Type.Optional(Type.String({ pattern: '^[0-9]{0,3}$' })),
  from: Type.Optional(Type.String({ pattern: '^[0-9]{0,18}$' })),
  /** A UTC time (ISO 8601, as the Time column and a datetime-local field give it). */
  since: Type.Optional(Type.String({ pattern: '^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?Z?$' })),
  last: Type.Optional(Type.String({ pattern: '^[0-9]{0,3}$' })),
  key: Type.Optional(Type.String({ maxLength: 64, pattern: SEARCH })),
  type: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z]*$' })),
  reveal: Type.Optional(Type.Literal('1')),
}, { additionalProperties: false })
const SchemasQuery = Type.Object({
  subject: Type.Optional(Type.String({ maxLength: 300, pattern: '^[a-zA-Z0-9._-]+$' })),
  a: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
  b: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
}, { additionalProperties: false })
const ParkedBody = Type.Object({
  ref: Type.String({ maxLength: 100, pattern: '^[a-z-]+:outbox:[0-9]+$' }),
  confirm: Type.Optional(Type.Literal(true)),
}, { additionalProperties: false })
const ParkedVerb = Type.Object({ verb: Type.Union([Type.Literal('retry'), Type.Literal('discard')]) })
/** The topics page reads this many messages per partition unless asked otherwise, and never more than MAX_LAST. */
const DEFAULT_LAST = 20
const MAX_LAST = 500
/** How many audit entries the dead letters page lists. */
const AUDIT_SHOWN = 50

export async function buildExplorer(options: ExplorerOptions): Promise<FastifyInstance> {
  const { clients } = options
  const app = Fastify({ logger: redactingLogger(options.logger), ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } })
  const assets = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, readFileSync(join(import.meta.dirname, 'assets', name), 'utf8')]))
  const audit = fileAuditLog(options.auditFile)
  const schemas = schemaVersions(clients.settings.registryUrl)
  const registry = registryOf(clients.settings.registryUrl)
  const feed = createOrdersFeed(clients, (err) => app.log.error({ err }, 'orders feed'))
  // Open event streams would hold the close up: they end first.
  const streams = new Set<import('node:http').ServerResponse>()
  app.addHook('preClose', async () => { for (const s of streams) s.end() })
  app.addHook('onClose', async () => {
    feed.close()
    await clients.close()
  })
  app.addHook('onSend', async (_request, reply) => { void reply.headers(SECURITY_HEADERS) })
  // The tools' library refuses a wrong id (UsageError) or an unknown dead letter (CommandFailed): 400 and 404 here.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.validation || err instanceof UsageError ? 400 : err instanceof CommandFailed ? 404
      : err.statusCode && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) request.log.error({ err }, 'explorer error')
    const message = status === 500 ? 'internal error (see the explorer\'s log)' : err.message
    if (request.method !== 'GET') return reply.status(status).send({ error: status === 500 ? 'internal' : 'refused', message })
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
      const rows = await searchOrders(clients, search, feed)
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
        const versions = await schemas.of(trace.steps.map((s) => s.schemaId))
        const body = sagaPage(orderFacts, trace, { reveal: request.query.reveal === '1', kcatConfig: options.kcatConfig, prefix: clients.settings.prefix, schemas: versions })
        return reply.type('text/html; charset=utf-8').send(render(`Order ${orderId}`, '', request.admin, body))
      })

    admin.get<{ Querystring: Static<typeof TopicsQuery> }>('/topics', { schema: { querystring: TopicsQuery } }, async (request, reply) => {
      const q = request.query
      const topics = readableTopics(clients.settings.prefix)
      const topic = q.topic ?? topics[0]!
      if (!topics.includes(topic)) return reply.status(400).type('text/html; charset=utf-8').send(html`<h1>400</h1><p>topic: one of ${topics.join(', ')}</p>`.value)
      const last = Math.min(MAX_LAST, Math.max(1, Number(q.last || DEFAULT_LAST)))
      const query = {
        topic, last, partition: q.partition === undefined || q.partition === '' ? undefined : Number(q.partition),
        from: q.from === undefined || q.from === '' ? undefined : BigInt(q.from), key: q.key || undefined, type: q.type || undefined,
        since: q.since ? Date.parse(q.since.endsWith('Z') ? q.since : `${q.since}Z`) : undefined,
      }
      if (Number.isNaN(query.since)) return reply.status(400).type('text/html; charset=utf-8').send(html`<h1>400</h1><p>since: a UTC time, not ${q.since}</p>`.value)
      const missing = await missingTopics(clients.kafka, [topic])
      const records = missing.length > 0 ? [] : await readMessages(clients, query)
      const body = topicsPage(topics, query, records, await groupLags(clients), q.reveal === '1')
      return reply.type('text/html; charset=utf-8').send(render('Topics and groups', '/topics', request.admin, body))
    })

    admin.get<{ Querystring: Static<typeof SchemasQuery> }>('/schemas', { schema: { querystring: SchemasQuery } }, async (request, reply) => {
      const { subject, a, b } = request.query
      const subjects = await registry.subjects()
      const known = subjects.find((s) => s.name === subject)
      let comparison = null
      if (subject !== undefined) {
        if (!known || a === undefined || b === undefined || !known.versions.includes(Number(a)) || !known.versions.includes(Number(b))) {
          return reply.status(400).type('text/html; charset=utf-8').send(html`<h1>400</h1><p>subject, a and b: a subject of the saga and two of its versions</p>`.value)
        }
        const [from, to] = await Promise.all([registry.version(subject, Number(a)), registry.version(subject, Number(b))])
        comparison = { subject, a: from, b: to, diff: diffLines(from.text, to.text) }
      }
      return reply.type('text/html; charset=utf-8').send(render('Schemas', '/schemas', request.admin, schemasPage(subjects, comparison)))
    })

    // A parked outbox row handed back to its relay, or given up: `dlq retry|discard`'s operations, confirmed and audited.
    admin.post<{ Params: Static<typeof ParkedVerb>; Body: Static<typeof ParkedBody> }>('/parked/:verb', { schema: { params: ParkedVerb, body: ParkedBody } }, async (request, reply) => {
      const { verb } = request.params
      const { ref, confirm } = request.body
      if (confirm !== true) return reply.status(400).send({ error: 'unconfirmed', message: `${verb} needs confirm: true` })
      const at = parseParkedRef(ref)
      if (!at) return reply.status(400).send({ error: 'refused', message: `'${ref}' is not a parked row like stock-service:outbox:42` })
      const db = clients.db(at.service)
      const row = (await listParked(db)).find((r) => r.id === at.id)
      if (!row) return reply.status(404).send({ error: 'refused', message: `no parked row ${ref}` })
      const done = verb === 'retry' ? await retryParked(db, at.id) : await discardParked(db, at.id)
      const result = !done ? 'no longer parked (retried or discarded meanwhile): nothing changed'
        : verb === 'retry' ? `${ref} handed back to the relay` : `${ref} discarded: it is never published`
      await audit.append({ who: request.admin, at: new Date().toISOString(), what: `${verb} ${ref} (${row.eventType} of order ${row.key}, ${row.waiting} row(s) waiting)`, result })
      return { result }
    })

    // Counted with the orders_status index.
    admin.get('/saga', async (request, reply) => {
      const rows: { status: string; n: string }[] = await clients.db('order-service')('orders').select('status').count({ n: '*' }).groupBy('status')
      const body = sagaMapPage(new Map(rows.map((r) => [r.status, Number(r.n)])))
      return reply.type('text/html; charset=utf-8').send(render('The saga', '/saga', request.admin, body))
    })

    admin.get<{ Querystring: Static<typeof OrderQuery> }>('/dead-letters', { schema: { querystring: OrderQuery } }, async (request, reply) => {
      const topics = deadLetterTopics(clients.settings.prefix)
      // A service's dead-letter topic exists from its first dead letter on.
      const missing = await missingTopics(clients.kafka, topics)
      const spans = await spansOf(clients.offsets, topics.filter((t) => !missing.includes(t)), { kind: 'beginning' }, false)
      const states = await withStates(clients, await readLetters(clients, spans))
      const letters = await Promise.all(states.map(async (s) => ({ ...s, decoded: await decodeRecord(clients.codec, s.letter.message) })))
      const body = deadLettersPage(letters, await parkedRows(clients), await audit.recent(AUDIT_SHOWN), request.query.reveal === '1')
      return reply.type('text/html; charset=utf-8').send(render('Dead letters', '/dead-letters', request.admin, body))
    })

    // Only this stack's dead letters: an id naming another topic (another prefix's on a shared cluster) is refused.
    const ownLetters = new Set(deadLetterTopics(clients.settings.prefix))
    function assertOwnLetters(ids: readonly string[]): void {
      const foreign = ids.filter((id) => !ownLetters.has(parseId(id)?.topic ?? ''))
      if (foreign.length > 0) throw new UsageError(`not a dead letter of this stack: ${foreign.join(', ')} (its topics: ${[...ownLetters].join(', ')})`)
    }

    // The dry run: what the redrive would do, sending nothing.
    admin.post<{ Body: Static<typeof RedriveBody> }>('/dead-letters/dry-run', { schema: { body: RedriveBody } }, async (request) => {
      assertOwnLetters(request.body.ids)
      return { plans: (await planRedrives(clients, request.body.ids)).map((p) => p.plan) }
    })

    // The redrive itself, only when confirmed; planned again, so that what it does is what the page was told.
    admin.post<{ Body: Static<typeof RedriveBody> }>('/dead-letters/redrive', { schema: { body: RedriveBody } }, async (request, reply) => {
      if (request.body.confirm !== true) return reply.status(400).send({ error: 'unconfirmed', message: 'a redrive needs confirm: true, after its dry run' })
      assertOwnLetters(request.body.ids)
      const planned = await planRedrives(clients, request.body.ids)
      const overtaking = planned.filter((p) => p.plan.overtakes.length > 0)
      if (overtaking.length > 0 && request.body.overtaking !== true) {
        const count = overtaking.reduce((n, p) => n + p.plan.overtakes.length, 0)
        return reply.status(409).send({ error: 'overtakes', message: `the redrive would overtake ${count} earlier event(s) their groups have not handled`, plans: planned.map((p) => p.plan) })
      }
      // One at a time, in the plans' order, each audited: a failure stops the rest, and the page says which were sent.
      const results: string[] = []
      for (const { letter, plan } of planned) {
        const what = `redrive ${plan.id} (${plan.eventType ?? 'unknown event'} of order ${plan.orderId ?? '-'}) to ${plan.target.topic}[${plan.target.partition}] for ${plan.group}`
          + (plan.overtakes.length > 0 ? `, overtaking ${plan.overtakes.map((o) => o.type).join(', ')} (confirmed)` : '')
        try {
          await republish(clients.kafka, [redriveOf(letter)])
        } catch (err) {
          const failed = `failed: ${(err as Error).message}`
          await audit.append({ who: request.admin, at: new Date().toISOString(), what, result: failed })
          request.log.error({ err }, 'redrive failed')
          const sent = results.length === 0 ? 'nothing was sent' : `sent before it: ${results.join('; ')}`
          return reply.status(502).send({ error: 'redrive-failed', message: `${plan.id} ${failed}; ${sent}; the rest was not sent` })
        }
        const result = `sent; the inbox will ${plan.inbox === 'apply' ? 'apply it' : 'drop it as a duplicate'}`
        await audit.append({ who: request.admin, at: new Date().toISOString(), what, result })
        results.push(`${plan.id}: ${result}`)
      }
      return { plans: planned.map((p) => p.plan), result: results.join('; ') }
    })
  })
  return app
}
