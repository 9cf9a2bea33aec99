// Whether a kill landed between a consumer's DB commit and its offset commit: inbox rows past the group's committed offset, no hook in the service.
import type { OffsetsAdmin } from '@choreo/messaging/operations'
import { committedOffsets } from './kafka-state.ts'

export interface InboxPosition {
  topic: string
  partition: number
  offset: string
}

/**
 * Messages a consumer had committed to its database (inbox rows) but not yet to Kafka (at or
 * past the group's committed offset) when its process was killed: each will be delivered again,
 * and the inbox must turn the second delivery into a no-op. More than 0 shows that a kill landed
 * in the window between the DB commit and the offset commit, without a hook in the service.
 */
export function handledBeyondCommit(rows: readonly InboxPosition[], committed: ReadonlyMap<string, bigint>): number {
  return rows.filter((row) => BigInt(row.offset) >= (committed.get(`${row.topic}:${row.partition}`) ?? 0n)).length
}

/** Reads the committed offsets and the inbox of a group right after its only member was killed. */
export async function probeCommitWindow(deps: {
  offsets: OffsetsAdmin
  group: string
  topics: readonly string[]
  /** The group's inbox rows of the last minutes (older ones are long committed). */
  recentInbox(): Promise<InboxPosition[]>
}): Promise<number> {
  const committed = await committedOffsets(deps.offsets, deps.group, deps.topics)
  return handledBeyondCommit(await deps.recentInbox(), committed)
}
