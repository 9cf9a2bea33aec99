// The rolling upgrade's verdict: no field of the newer build lost on the topic or by a newer consumer, and the two builds really mixed.
import { readFileSync } from 'node:fs'
import type { EventCodec } from '@choreo/messaging'
import type { OffsetsAdmin } from '@choreo/messaging/operations'
import type { Kafka } from '../lib/clients.ts'
import type { Db } from './run-resources.ts'
import { readTopics } from './kafka-state.ts'
import { NEWER_BUILD } from './newer-build.ts'

/** A rolling upgrade that lost the newer build's field, or that never mixed the builds at all. */
export type UpgradeTrouble = { rule: 'upgrade-field-lost' | 'upgrade-not-exercised'; detail: string }

/** An event of the evolved type as its producer wrote it: the outbox row's payload holds the field when the newer build wrote it. */
export interface Written {
  eventId: string
  orderId: string
  field: unknown
}

/** One message of the evolved type on the topic, with the field as the newer build's reader schema decodes it (null from older writers). */
export interface OnTopic {
  eventId: string
  field: unknown
}

/** What a newer consumer logged of an event it handled (the fixture's `seen`, in its instance log). */
export interface Seen {
  seen: string
  eventId: string
  warehouse: string | null
}

export interface UpgradeVerdict {
  /** Evolved-type events the newer build wrote (its field in the outbox row), and the new type's events on the topic. */
  newerEvents: number
  addedEvents: number
  /** Of those, how many newer consumers handled. */
  seenByNewer: { evolved: number; added: number }
  troubles: UpgradeTrouble[]
}

const isSet = (field: unknown) => field !== null && field !== undefined

/**
 * No field lost across the upgrade: every event the newer build wrote is on the topic with the
 * field as written, whichever build's relay shipped it, and every newer consumer that handled
 * one read it with the field. And the upgrade mixed the builds at all: some of the newer events
 * and of the new type were written and handled by a newer consumer, or the run proved nothing.
 */
export function judgeUpgrade(input: { written: readonly Written[]; onTopic: readonly OnTopic[]; added: readonly { eventId: string }[]; seen: readonly Seen[] }): UpgradeVerdict {
  const troubles: UpgradeTrouble[] = []
  const lost = (detail: string) => troubles.push({ rule: 'upgrade-field-lost', detail })
  const { type, field } = NEWER_BUILD.evolved
  const written = new Map(input.written.filter((w) => isSet(w.field)).map((w) => [w.eventId, w]))
  for (const m of input.onTopic) {
    const w = written.get(m.eventId)
    if (w && m.field !== w.field) lost(`${type} ${m.eventId} of order ${w.orderId}: the newer build wrote ${field}=${String(w.field)}, the topic has ${String(m.field)} (re-encoded with an older schema?)`)
  }
  const seenEvolved = input.seen.filter((s) => s.seen === type && written.has(s.eventId))
  for (const line of seenEvolved) {
    const w = written.get(line.eventId)!
    if (line.warehouse !== w.field) lost(`${type} ${line.eventId}: a newer ${NEWER_BUILD.consumer} read ${field}=${String(line.warehouse)}, the newer build wrote ${String(w.field)}`)
  }
  const addedIds = new Set(input.added.map((a) => a.eventId))
  const seenAdded = input.seen.filter((s) => s.seen === NEWER_BUILD.added && addedIds.has(s.eventId))
  const distinct = (lines: Seen[]) => new Set(lines.map((s) => s.eventId)).size
  const verdict = { newerEvents: written.size, addedEvents: addedIds.size, seenByNewer: { evolved: distinct(seenEvolved), added: distinct(seenAdded) }, troubles }
  const missing = [
    ...(verdict.newerEvents === 0 ? [`no ${type} written by the newer build`] : []),
    ...(verdict.addedEvents === 0 ? [`no ${NEWER_BUILD.added} on the topic`] : []),
    ...(verdict.seenByNewer.evolved === 0 ? [`no newer ${type} handled by a newer ${NEWER_BUILD.consumer}`] : []),
    ...(verdict.seenByNewer.added === 0 ? [`no ${NEWER_BUILD.added} handled by a newer ${NEWER_BUILD.consumer}`] : []),
  ]
  if (missing.length > 0) troubles.push({ rule: 'upgrade-not-exercised', detail: missing.join('; ') })
  return verdict
}

/** The fixture's lines in the consumer's instance logs. */
function seenIn(logFiles: readonly string[]): Seen[] {
  const out: Seen[] = []
  for (const file of logFiles) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"fixture":"newer-build"')) continue
      try {
        out.push(JSON.parse(line) as Seen)
      } catch {
        // A line cut short by a kill -9.
      }
    }
  }
  return out
}

/** Reads the producer's outbox and topic and the consumer's logs after the run, and judges them. */
export async function checkUpgrade(deps: { kafka: Kafka; offsets: OffsetsAdmin; producerDb: Db; topic: string; newerCodec: EventCodec; logFiles: readonly string[] }): Promise<UpgradeVerdict> {
  const { type, field } = NEWER_BUILD.evolved
  const rows = (await deps.producerDb.raw('SELECT event_id, aggregate_id, payload FROM outbox WHERE event_type = ?', [type])).rows as { event_id: string; aggregate_id: string; payload: string | Record<string, unknown> }[]
  const written = rows.map((r) => {
    const payload = typeof r.payload === 'string' ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload
    return { eventId: r.event_id, orderId: r.aggregate_id, field: payload[field] }
  })
  const onTopic: OnTopic[] = []
  const added: { eventId: string }[] = []
  for (const m of await readTopics(deps.kafka, deps.offsets, [deps.topic])) {
    const eventId = m.headers['event-id'] ?? ''
    if (m.headers['event-type'] === NEWER_BUILD.added) added.push({ eventId })
    if (m.headers['event-type'] !== type || !m.value) continue
    onTopic.push({ eventId, field: (await deps.newerCodec.decode(m.value)).payload[field] })
  }
  return judgeUpgrade({ written, onTopic, added, seen: seenIn(deps.logFiles) })
}
