// The `fulfilment-poller` plugin: ships the reservations whose fulfilment delay has passed, while the app is up.
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { newTraceparent, type Messaging } from '@choreo/messaging'
import { dueShipments, nextScheduledShipment } from '../repositories/reservations.ts'
import { shipIfDue } from '../steps/ship-order.ts'

/** The shortest time between two looks for due shipments: one ships at most this long after it is due. */
export const FULFILMENT_POLL_MS = 250
/** The longest wait with nothing scheduled and no delay configured here (a shipment then is shipped inline, not scheduled). */
const IDLE_LOOK_MS = 5000
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
 *
 * Between looks it waits until the earliest scheduled shipment is due, but never longer than
 * `delayMs`: a shipment scheduled from now on (by any instance with this delay) is due no sooner.
 * So an idle service looks once per delay (once per IDLE_LOOK_MS with none), not four times a
 * second, and every shipment still goes out within FULFILMENT_POLL_MS of being due.
 */
export function createFulfilmentPoller(deps: { db: Knex; messaging: Messaging; log: FastifyBaseLogger; delayMs: number }, pollMs = FULFILMENT_POLL_MS): FulfilmentPoller {
  let timer: NodeJS.Timeout | undefined
  let inHand: Promise<void> = Promise.resolve()
  let stopped = false
  let failing = false
  const longest = Math.max(pollMs, deps.delayMs > 0 ? deps.delayMs : IDLE_LOOK_MS)

  /** Ships what is due; returns how long to wait before the next look. */
  async function shipDue(): Promise<number> {
    try {
      const due = await dueShipments(deps.db, new Date(), BATCH)
      for (const orderId of due) {
        await deps.messaging.transaction(async (trx) => {
          const shipment = await shipIfDue(trx, orderId, new Date())
          // A shipment of its own: it carries the saga's correlation, and a trace of its own.
          if (shipment) await deps.messaging.outbox.enqueue(trx, shipment.event, { ...shipment.cause, traceparent: newTraceparent() })
        })
      }
      if (failing) deps.log.info('fulfilment: shipping scheduled orders again')
      failing = false
      if (due.length === BATCH) return pollMs
      const next = await nextScheduledShipment(deps.db)
      return next === null ? longest : Math.min(longest, Math.max(pollMs, next.getTime() - Date.now()))
    } catch (err) {
      // An outage: the schedule waits in the database, the next look tries again. Said once, not every poll.
      if (!failing) deps.log.error({ err }, 'fulfilment: cannot ship scheduled orders; retrying')
      failing = true
      return pollMs
    }
  }

  function next(waitMs: number): void {
    if (stopped) return
    timer = setTimeout(() => {
      inHand = shipDue().then(next)
    }, waitMs)
  }

  return {
    start: () => next(pollMs),
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
 * `delayMs` is this instance's FULFILMENT_DELAY_MS, which bounds its waits (createFulfilmentPoller).
 */
export const fulfilmentPollerPlugin = (delayMs: number) => fp(async (app) => {
  const fulfilment = createFulfilmentPoller({ db: app.db, messaging: app.messaging, log: app.log, delayMs })
  app.addHook('onReady', async () => { fulfilment.start() })
  // Before the pool and the relay close (onClose): the shipment in hand finishes first.
  app.addHook('preClose', async () => { await fulfilment.close() })
}, { name: 'fulfilment-poller', dependencies: ['db', 'outbox'], fastify: '5.x' })
