// A dead letter's redrive, planned before it is sent: what the target group's inbox will do with it, and which earlier events of its order it would overtake.
import type { Clients } from '@choreo/tools/lib/clients.ts'
import { lettersById, withStates } from '@choreo/tools/lib/dead-letter-reads.ts'
import type { DeadLetter } from '@choreo/tools/lib/dead-letters.ts'
import { gatherFacts } from '@choreo/tools/lib/saga-facts.ts'
import { buildTrace } from '@choreo/tools/lib/saga-trace.ts'
import { serviceOfGroup } from '@choreo/tools/lib/services.ts'

/** An earlier event of the same order its group has not handled yet: the redriven copy would be handled before it. */
export interface Overtaken {
  type: string
  eventId: string
  at: string
  state: string
}

export interface RedrivePlan {
  id: string
  eventType: string | null
  orderId: string | null
  group: string
  target: { topic: string; partition: number }
  /** From the group's inbox: a row for the event means the copy is dropped as a duplicate. */
  inbox: 'apply' | 'drop as duplicate'
  handledAt: string | null
  overtakes: Overtaken[]
}

/**
 * Reads the letters and their groups' inboxes, and (for letters keyed by an order) the orders'
 * traces, without sending anything. The plans come in the order the letters were dead-lettered,
 * which is the order a redrive sends them in; an earlier event that is itself among the letters is
 * sent first, so it is not overtaken.
 */
export async function planRedrives(clients: Clients, ids: readonly string[]): Promise<{ letter: DeadLetter; plan: RedrivePlan }[]> {
  const states = (await withStates(clients, await lettersById(clients, [...new Set(ids)]))).sort((a, b) => a.letter.at.localeCompare(b.letter.at))
  const redriven = new Set(states.map((s) => s.letter.eventId))
  const orders = [...new Set(states.filter((s) => s.letter.key && !s.handledAt).map((s) => s.letter.key!))]
  const { surroundings, facts } = orders.length > 0 ? await gatherFacts(clients, orders) : { surroundings: null, facts: new Map() }
  return states.map(({ letter, handledAt }) => {
    const overtakes: Overtaken[] = []
    const service = serviceOfGroup(letter.group, clients.settings.prefix)
    const orderFacts = letter.key ? facts.get(letter.key) : undefined
    if (orderFacts && surroundings && service && !handledAt) {
      const trace = buildTrace(orderFacts, surroundings)
      const own = trace.steps.find((s) => s.eventId === letter.eventId)
      for (const step of trace.steps) {
        if (redriven.has(step.eventId) || (own && step.at >= own.at)) continue
        const consumer = step.consumers.find((c) => c.service === service)
        if (consumer && consumer.state !== 'handled') overtakes.push({ type: step.type, eventId: step.eventId, at: step.at, state: consumer.state })
      }
    }
    return {
      letter,
      plan: {
        id: letter.id, eventType: letter.eventType, orderId: letter.key, group: letter.group,
        target: { topic: letter.original.topic, partition: letter.original.partition },
        inbox: handledAt ? 'drop as duplicate' : 'apply', handledAt: handledAt?.toISOString() ?? null, overtakes,
      },
    }
  })
}
