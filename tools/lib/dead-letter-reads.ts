// Reading dead letters off their topics, with whether each group's inbox has handled the event since: `dlq` and the explorer share it.
import { listParked, missingTopics, readSpans, type PartitionSpan } from '@choreo/messaging/operations'
import type { Clients } from './clients.ts'
import { CommandFailed, UsageError } from './command.ts'
import { deadLetterOf, parseId, type DeadLetter } from './dead-letters.ts'
import { handledEvents } from './inbox.ts'
import { parkedOf, type Parked } from './parked-rows.ts'
import { serviceOfGroup, services } from './services.ts'

export interface LetterState {
  letter: DeadLetter
  /** When the group's inbox recorded the event, if it has. */
  handledAt: Date | null
}

export async function readLetters(clients: Clients, spans: PartitionSpan[]): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = []
  for await (const message of readSpans(clients.kafka, spans)) letters.push(deadLetterOf(message))
  return letters
}

export async function lettersById(clients: Clients, ids: readonly string[]): Promise<DeadLetter[]> {
  // One span per partition, from the first id's offset to past the last: a reader takes one span per partition.
  const spans = new Map<string, PartitionSpan>()
  for (const id of ids) {
    const at = parseId(id)
    if (!at) throw new UsageError(`'${id}' is not an id like payment-service.dlt:0:12`)
    const range = (await missingTopics(clients.kafka, [at.topic])).length > 0 ? undefined : (await clients.offsets.ranges(at.topic)).find((r) => r.partition === at.partition)
    // Only what is on the partition: a span past its end would wait for a message that may never come.
    if (!range || at.offset < range.low || at.offset >= range.high) continue
    const key = `${at.topic}:${at.partition}`
    const span = spans.get(key)
    spans.set(key, span
      ? { ...span, from: at.offset < span.from ? at.offset : span.from, to: at.offset + 1n > span.to! ? at.offset + 1n : span.to }
      : { topic: at.topic, partition: at.partition, from: at.offset, to: at.offset + 1n })
  }
  const letters = (await readLetters(clients, [...spans.values()])).filter((l) => ids.includes(l.id))
  const missing = ids.filter((id) => !letters.some((l) => l.id === id))
  if (missing.length > 0) throw new CommandFailed(`no dead letter ${missing.join(', ')} (see ./choreo dlq list)`)
  return ids.map((id) => letters.find((l) => l.id === id)!)
}

/** Whether each letter's group has handled its event since: the group's service's inbox says. */
export async function withStates(clients: Clients, letters: DeadLetter[]): Promise<LetterState[]> {
  return Promise.all(letters.map(async (letter) => {
    const service = serviceOfGroup(letter.group, clients.settings.prefix)
    if (!service || !letter.eventId) return { letter, handledAt: null }
    const handled = await handledEvents(clients.db(service), letter.group, [letter.eventId])
    return { letter, handledAt: handled.get(letter.eventId) ?? null }
  }))
}

/** Every service's parked outbox rows, oldest first within each. */
export async function parkedRows(clients: Clients): Promise<Parked[]> {
  const all = await Promise.all(services.map(async (service) => (await listParked(clients.db(service))).map((row) => parkedOf(service, row))))
  return all.flat()
}
