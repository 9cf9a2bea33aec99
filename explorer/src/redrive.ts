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

/** Reads the letter and the group's inbox, and (for a letter keyed by an order) the order's trace, without sending anything. */
export async function planRedrive(clients: Clients, id: string): Promise<{ letter: DeadLetter; plan: RedrivePlan }> {
  const [state] = await withStates(clients, await lettersById(clients, [id]))
  const { letter, handledAt } = state!
  const overtakes: Overtaken[] = []
  const service = serviceOfGroup(letter.group, clients.settings.prefix)
  if (letter.key && service && !handledAt) {
    const { surroundings, facts } = await gatherFacts(clients, [letter.key])
    const trace = buildTrace(facts.get(letter.key)!, surroundings)
    const own = trace.steps.find((s) => s.eventId === letter.eventId)
    for (const step of trace.steps) {
      if (step.eventId === letter.eventId || (own && step.at >= own.at)) continue
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
}
