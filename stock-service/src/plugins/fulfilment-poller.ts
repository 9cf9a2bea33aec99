// The `fulfilment-poller` plugin: ships the reservations whose fulfilment delay has passed, while the app is up.
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { newTraceparent, type Messaging } from '@choreo/messaging'
import { dueShipments } from '../repositories/reservations.ts'
import { shipIfDue } from '../steps/ship-order.ts'

/** How often scheduled shipments are looked for: one ships at most this long after it is due. */
export const FULFILMENT_POLL_MS = 250
/** Due shipments taken per look; more wait for the next one. */
const BATCH = 50

export interface FulfilmentPoller {
  start(): void
  /** Stops looking and waits for the shipments in hand. */
  close(): Promise<void>
}

/**
 * Ships the reservations whose fulfilment delay has passed, each in a transaction of its own
 * with its OrderShipped in the outbox. The schedule is in the reservations table, so shipments
 * due while the service was down go out once it is back; several instances may poll at once,
 * as the reservation's row lock and status let only one of them ship an order.
 */
export function createFulfilmentPoller(deps: { db: Knex; messaging: Messaging; log: FastifyBaseLogger }, pollMs = FULFILMENT_POLL_MS): FulfilmentPoller {
  let timer: NodeJS.Timeout | undefined
  let inHand: Promise<void> = Promise.resolve()
  let stopped = false
  let failing = false

  async function shipDue(): Promise<void> {
    try {
      for (const orderId of await dueShipments(deps.db, new Date(), BATCH)) {
        await deps.messaging.transaction(async (trx) => {
          const due = await shipIfDue(trx, orderId, new Date())
          // A shipment of its own: it carries the saga's correlation, and a trace of its own.
          if (due) await deps.messaging.outbox.enqueue(trx, due.event, { ...due.cause, traceparent: newTraceparent() })
        })
      }
      if (failing) deps.log.info('fulfilment: shipping scheduled orders again')
      failing = false
    } catch (err) {
      // An outage: the schedule waits in the database, the next look tries again. Said once, not every poll.
      if (!failing) deps.log.error({ err }, 'fulfilment: cannot ship scheduled orders; retrying')
      failing = true
    }
  }

  function next(): void {
    if (stopped) return
    timer = setTimeout(() => {
      inHand = shipDue().finally(next)
    }, pollMs)
  }

  return {
    start: next,
    async close() {
      stopped = true
      clearTimeout(timer)
      await inHand
    },
  }
}

/**
 * Polls from the moment the app is ready, always, even with no delay: shipments scheduled under an
 * earlier delay must still go out. Its shipments go through the outbox, so it needs no broker.
 */
export const fulfilmentPollerPlugin = fp(async (app) => {
  const fulfilment = createFulfilmentPoller({ db: app.db, messaging: app.messaging, log: app.log })
  app.addHook('onReady', async () => { fulfilment.start() })
  // Before the pool and the relay close (onClose): the shipment in hand finishes first.
  app.addHook('preClose', async () => { await fulfilment.close() })
}, { name: 'fulfilment-poller', dependencies: ['db', 'outbox'], fastify: '5.x' })
