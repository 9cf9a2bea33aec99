// Dead letters as the tools see them: the dead-letter topics, a letter's id and what its consumer wrote about it, and its original for a redrive.
import { deadLetterTopic, prefixed } from '@choreo/contracts'
import type { RawMessage, Republished } from '@choreo/messaging/operations'
import { services } from './services.ts'

/** A message a consumer gave up on, with what the consumer wrote about it (messaging's consumer.ts). */
export interface DeadLetter {
  /** `<dead-letter topic>:<partition>:<offset>`: what `dlq show` and `dlq redrive` take. */
  id: string
  /** The consumer group that dead-lettered it. */
  group: string
  reason: string
  error: string
  /** When it was dead-lettered (ISO 8601). */
  at: string
  /** Where it was consumed from, and where a redrive puts it back. */
  original: { topic: string; partition: number; offset: number }
  key: string | null
  eventId: string | null
  eventType: string | null
  message: RawMessage
}

const DLT_HEADER = /^dlt-/

/** The dead-letter topics of the three services under a prefix. */
export function deadLetterTopics(prefix: string): string[] {
  return services.map((s) => prefixed(prefix, deadLetterTopic(s)))
}

function idOf(message: Pick<RawMessage, 'topic' | 'partition' | 'offset'>): string {
  return `${message.topic}:${message.partition}:${message.offset}`
}

/** Parses `<topic>:<partition>:<offset>`; topic names may not contain ':', so the split is unambiguous. */
export function parseId(id: string): { topic: string; partition: number; offset: bigint } | undefined {
  const m = /^([^:]+):(\d+):(\d+)$/.exec(id)
  return m ? { topic: m[1]!, partition: Number(m[2]), offset: BigInt(m[3]!) } : undefined
}

export function deadLetterOf(message: RawMessage): DeadLetter {
  const h = message.headers
  return {
    id: idOf(message),
    group: h['dlt-group'] ?? '',
    reason: h['dlt-reason'] ?? '(no dlt-reason header)',
    error: h['dlt-error'] ?? '',
    at: h['dlt-at'] ?? new Date(message.timestamp).toISOString(),
    original: { topic: h['dlt-topic'] ?? '', partition: Number(h['dlt-partition'] ?? -1), offset: Number(h['dlt-offset'] ?? -1) },
    key: message.key?.toString('utf8') ?? null,
    eventId: h['event-id'] ?? null,
    eventType: h['event-type'] ?? null,
    message,
  }
}

/** The original message again: its bytes, key and headers, without what the dead-lettering added. */
export function redriveOf(letter: DeadLetter): Republished {
  if (!letter.original.topic || letter.original.partition < 0) throw new Error(`${letter.id} has no dlt-topic/dlt-partition header: it cannot be sent back`)
  return {
    topic: letter.original.topic,
    partition: letter.original.partition,
    key: letter.message.key,
    value: letter.message.value,
    headers: Object.fromEntries(Object.entries(letter.message.headers).filter(([name]) => !DLT_HEADER.test(name))),
  }
}
