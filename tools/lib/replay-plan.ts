// A replay planned before it runs: where each partition's offset moves back to, and what the group's saga and inbox will do with each message again.
import { missingTopics, readSpans, type PartitionSpan } from '@choreo/messaging/operations'
import type { Clients } from './clients.ts'
import { CommandFailed } from './command.ts'
import { handledEvents } from './inbox.ts'
import { sagas, serviceOfGroup } from './services.ts'

/** Where a replay moves one partition: from the group's committed offset back to `target`. */
export interface PartitionMove {
  partition: number
  target: bigint
  /** The group's committed offset now; null if it never committed on this partition. */
  committed: bigint | null
}

/** What a replay will do to each message the group gets again, judged by its service's saga and inbox. */
export interface ReplayForecast {
  /** The group is a service's, so its saga and inbox can judge each message; otherwise only counts are known. */
  judged: boolean
  /** Messages the group will get again: from each target up to where the group is now. */
  messages: number
  /** Its saga handles the type and the inbox has the event: a no-op. */
  deduplicated: number
  /** Its saga handles the type and the inbox has not got it (it was dead-lettered, say): handled now. */
  handled: number
  /** Its saga has no handler for the type. */
  ignored: number
  /** Cannot be decoded: it will be dead-lettered again. */
  undecodable: number
  /** Event ids of the messages its saga handles: their inbox rows are counted before and after. */
  handledIds: string[]
}

export type ReplayStart = { kind: 'offset'; offset: bigint; partition?: number } | { kind: 'time'; at: number }

/** Target offsets per partition: an offset (clamped to what the partition holds) or the first at a time. */
export async function planMoves(clients: Clients, group: string, topic: string, start: ReplayStart): Promise<PartitionMove[]> {
  if ((await missingTopics(clients.kafka, [topic])).length > 0) throw new CommandFailed(`no topic ${topic} (the prefix is '${clients.settings.prefix}')`)
  const ranges = await clients.offsets.ranges(topic)
  const committed = await clients.offsets.committed(group, topic)
  const atTime = start.kind === 'time' ? await clients.offsets.offsetsAt(topic, start.at) : undefined
  const moves: PartitionMove[] = []
  for (const { partition, low, high } of ranges) {
    if (start.kind === 'offset' && start.partition !== undefined && start.partition !== partition) continue
    const wanted = start.kind === 'offset' ? start.offset : (atTime?.get(partition) ?? high)
    const target = wanted < low ? low : wanted > high ? high : wanted
    const now = committed.get(partition) ?? null
    if (now !== null && target > now) {
      throw new CommandFailed(`partition ${partition}: offset ${target} is ahead of group ${group} (at ${now}); a replay only moves back, and this would skip ${target - now} message(s)`)
    }
    moves.push({ partition, target, committed: now })
  }
  if (moves.length === 0) throw new CommandFailed(`topic ${topic} has no partition ${start.kind === 'offset' ? start.partition : ''}`)
  return moves
}

/** Reads what the group will get again and says, message by message, what its consumer will do. */
export async function forecast(clients: Clients, group: string, topic: string, moves: readonly PartitionMove[]): Promise<ReplayForecast> {
  const service = serviceOfGroup(group, clients.settings.prefix)
  const spans = moves.filter((m) => m.committed !== null && m.committed > m.target)
    .map((m): PartitionSpan => ({ topic, partition: m.partition, from: m.target, to: m.committed }))
  const out: ReplayForecast = { judged: service !== undefined, messages: 0, deduplicated: 0, handled: 0, ignored: 0, undecodable: 0, handledIds: [] }
  for await (const message of readSpans(clients.kafka, spans)) {
    out.messages++
    try {
      if (!message.value) throw new Error('tombstone')
      const { type, payload } = await clients.codec.decode(message.value)
      if (!service) continue
      if (type in sagas[service]) out.handledIds.push(String(payload.eventId))
      else out.ignored++
    } catch {
      out.undecodable++
    }
  }
  if (!service) return out
  const before = await handledEvents(clients.db(service), group, out.handledIds)
  out.deduplicated = out.handledIds.filter((id) => before.has(id)).length
  out.handled = out.handledIds.length - out.deduplicated
  return out
}

