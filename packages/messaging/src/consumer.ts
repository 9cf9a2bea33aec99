// The saga consumer: each event decoded, claimed in the inbox and handled in one transaction (a fetched run of them in one), retried through outages, else dead-lettered.
import type { Knex } from 'knex'
import type { Consumer, Kafka, KafkaMessage, Producer, IHeaders } from 'kafkajs'
import type { Events, EventType, NewEvent } from '@choreo/contracts'
import type { EventCodec, Decoded } from './avro.ts'
import { RefusedEvent, UnconfirmedEvent, UndecodableMessage, UnknownEventType } from './errors.ts'
import type { FactsEnds, FactsWatch } from './facts-watch.ts'
import { backoffDelay, sleep, type Backoff } from './backoff.ts'
import type { Dialect } from './dialects/index.ts'
import { createInbox, type InboxEntry } from './inbox.ts'
import type { Logger } from './logger.ts'
import type { MessagingMetrics } from './metrics.ts'
import type { Cause, Outbox, Reaction } from './outbox.ts'
import { topicsOf, type Saga, type Step } from './saga.ts'
import { classify } from './retriable.ts'
import { childTraceparent, traceIdOf } from './traceparent.ts'

export interface ConsumerOptions {
  group: string
  /**
   * Attempts after which a transaction the database keeps choosing as a victim (deadlock,
   * serialization, lock timeout) is logged as an error. It is retried still: the event is valid.
   */
  alertAfterContentionAttempts: number
  backoff: Backoff
  partitionsConsumedConcurrently: number
  /**
   * Up to this many events of one fetched batch are handled in ONE transaction: one inbox
   * statement, one outbox insert, one commit for all. If any of them fails, or waits on a lock
   * longer than `batchLockWaitMs`, that transaction is rolled back and its events are handled one
   * transaction each, with the retries and dead letters below. 1: always one each. The lock-wait
   * bound is PostgreSQL's (`SET LOCAL lock_timeout`); on SQL Server a run waits, and the server's
   * deadlock monitor breaks a cycle between two runs.
   */
  eventsPerTransaction: number
  batchLockWaitMs: number
  /**
   * Offsets are committed to Kafka at most this often (and when stopping, on a rebalance seen by
   * a heartbeat, and once this long has passed on an idle consumer's next empty fetch, every 5 s),
   * not after every batch. A crash redelivers what was handled since the last commit, about this
   * long's worth per partition; so does a rebalance kafkajs notices elsewhere (a fetch from a
   * moved leader, an expired member id). The inbox makes each of those a no-op.
   */
  offsetCommitIntervalMs: number
  /** Prefix of every topic name (see contracts' `prefixed`). */
  topicPrefix: string
  /** Where what cannot be handled goes, with the reason. */
  deadLetterTopic: string
  /**
   * The inbox remembers a handled event for `retentionMs`, which must outlast every way the event
   * can come again (the topics' retention: see messaging.ts); each instance then purges its
   * group's older rows every `intervalMs`, in passes of at most `batchesPerPass` × `batchSize`.
   */
  inboxPurge: { retentionMs: number; intervalMs: number; batchSize: number; batchesPerPass: number }
}

export interface SagaConsumer {
  start(): Promise<void>
  /** Stops fetching, finishes the messages in hand, commits their offsets. */
  stop(): Promise<void>
}

type Outcome = 'handled' | 'deduplicated' | 'ignored' | 'dead_lettered' | 'refused'
type At = { topic: string; partition: number; offset: string }

/*
 * Per message: decode through the registry, then in ONE database transaction record
 * (group, event id) in the inbox, run the handler, enqueue what it returns; commit; only then
 * is the Kafka offset resolved. A crash anywhere before the offset commit redelivers the
 * message and the inbox turns the second delivery into a no-op. A fetched run of a partition's
 * messages goes through one such transaction first (handleTogether); if it fails, each message
 * goes alone as described here.
 *
 * Failures: an outage (database or registry away) or contention (the database chose this
 * transaction as a victim) is retried with backoff until it passes or the consumer stops (kafkajs
 * fetches the next batches only when every batch in hand is done, so the consumer's other
 * partitions wait too): neither is the message's fault, so neither dead-letters it. Anything
 * else, or an undecodable message, is dead-lettered. An event of a type the saga has no handler
 * for, or that this code base does not know (a newer producer's), is skipped: counted as
 * 'ignored', logged once per type, never dead-lettered. A handler's UnconfirmedEvent (the fact
 * that would vouch for the event is read by the facts consumer, which may be behind) waits the
 * same way until `facts` says that consumer has caught up; then it is a refusal. The dead letter is produced (acks=all) BEFORE the
 * offset is resolved, so a crash between the two yields a second dead letter, never a lost one.
 */
export function createSagaConsumer(deps: {
  kafka: Kafka
  db: Knex
  dialect: Dialect
  codec: EventCodec
  outbox: Outbox
  /** Produces dead letters. */
  producer: Producer
  saga: Saga
  logger: Logger
  metrics?: MessagingMetrics
  /** Called after a reaction committed outbox rows (not after one that emitted nothing: the relay would look for nothing). */
  onCommitted: () => void
  /** Whether the service's facts consumer has caught up, for a handler's UnconfirmedEvent; none: refuse at once. */
  facts?: FactsWatch
  options: ConsumerOptions
}): SagaConsumer {
  const { kafka, db, dialect, codec, outbox, producer, saga, metrics, onCommitted, facts, options } = deps
  const logger = deps.logger.child({ group: options.group })
  const inbox = createInbox(dialect, options.group)
  const topics = topicsOf(saga, options.topicPrefix)
  const stopping = new AbortController()
  let consumer: Consumer | null = null
  let purging: Promise<void> | null = null
  const skippedTypes = new Set<string>()
  const runSize = Math.max(1, Math.floor(options.eventsPerTransaction))

  function causeOf(decoded: Decoded, headers: IHeaders | undefined): Cause {
    const payload = decoded.payload as { eventId: string; correlationId: string }
    return {
      correlationId: payload.correlationId,
      causationId: payload.eventId,
      traceparent: childTraceparent(headers?.traceparent?.toString()),
    }
  }

  /**
   * `refuseKept` dead-letters a refusal whose containment commits: called inside the transaction,
   * before the commit, so a crash in between yields a second dead letter on redelivery, never a
   * refusal that the inbox then deduplicates without anyone having been told.
   */
  async function react(decoded: Decoded, at: At, headers: IHeaders | undefined, refuseKept: (err: RefusedEvent) => Promise<void>): Promise<Outcome> {
    const step = saga[decoded.type] as Step<EventType> | undefined
    if (!step) return 'ignored'
    const payload = decoded.payload as unknown as Events[EventType]
    let emitted: readonly NewEvent[] = []
    const outcome = await db.transaction(async (trx): Promise<Outcome> => {
      emitted = []
      const fresh = await inbox.claim(trx, { eventId: payload.eventId, eventType: decoded.type, ...at })
      if (!fresh) return 'deduplicated'
      try {
        emitted = await step.handle(payload, trx)
      } catch (err) {
        if (!(err instanceof RefusedEvent && err.containment === 'commit')) throw err
        // A refusal whose containment must hold: what the handler wrote commits, and nothing else.
        await refuseKept(err)
        return 'refused'
      }
      await outbox.enqueue(trx, emitted, causeOf(decoded, headers))
      return 'handled'
    })
    if (emitted.length > 0) onCommitted()
    return outcome
  }

  /**
   * One saga's id in every log line about a message: its order, event, correlation and trace.
   * Built on first use: most messages log nothing (debug is off), so most never need one.
   */
  function messageLogger(message: KafkaMessage, at: At): () => Logger {
    let built: Logger | undefined
    return () => {
      const header = (name: string): string | undefined => message.headers?.[name]?.toString()
      built ??= logger.child({
        ...at, orderId: message.key?.toString(), eventId: header('event-id'), correlationId: header('correlation-id'),
        traceId: traceIdOf(header('traceparent')),
      })
      return built
    }
  }

  async function deadLetter(message: KafkaMessage, at: At, reason: string, err: unknown, log: () => Logger): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'dlt-reason': reason,
      'dlt-error': err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      'dlt-group': options.group,
      'dlt-topic': at.topic,
      'dlt-partition': String(at.partition),
      'dlt-offset': at.offset,
      'dlt-at': new Date().toISOString(),
    }
    await untilDone('dead-letter', () =>
      producer.send({ topic: options.deadLetterTopic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] }),
    )
    log().error({ err, reason }, 'message dead-lettered')
  }

  /** Retries an operation through outages until it succeeds or the consumer stops. */
  async function untilDone<T>(what: string, op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op()
      } catch (err) {
        if (stopping.signal.aborted) throw err
        metrics?.retried.inc({ group: options.group, kind: 'outage' })
        logger.warn({ err, attempt }, `${what} failed; retrying`)
        await sleep(backoffDelay(attempt, options.backoff), stopping.signal)
      }
    }
  }

  /** A type this service has no handler for, or does not know yet (a newer producer's): skipped, said once per type. */
  function skip(type: string, log: () => Logger): Outcome {
    if (!skippedTypes.has(type)) {
      skippedTypes.add(type)
      log().info({ eventType: type }, 'no handler here for this event type: its events are skipped (said once per type)')
    }
    return 'ignored'
  }

  async function handle(message: KafkaMessage, at: At, heartbeat: () => Promise<void>, log: () => Logger): Promise<Outcome> {
    // The relay names every event's type in a header: one this saga does not handle is not even decoded.
    const named = message.headers?.['event-type']?.toString()
    if (named !== undefined && !Object.hasOwn(saga, named)) return skip(named, log)
    let contention = 0
    // Set once the facts consumer was seen caught up: from then on, a fact still missing never comes.
    let factsCaughtUp = false
    // Where the facts topics ended once this message could not be confirmed: the fact lies below.
    let factsEnds: FactsEnds | null = null
    for (let attempt = 0; ; attempt++) {
      try {
        if (!message.value) throw new UndecodableMessage('message has no value (tombstone)')
        const decoded = await codec.decode(message.value)
        return await react(decoded, at, message.headers, (refusal) => deadLetter(message, at, `refused: ${refusal.rule}`, refusal, log))
      } catch (err) {
        if (err instanceof UnknownEventType) return skip(err.recordName, log)
        if (err instanceof RefusedEvent || (err instanceof UnconfirmedEvent && factsCaughtUp)) {
          await deadLetter(message, at, `refused: ${err.rule}`, err, log)
          return 'refused'
        }
        if (err instanceof UnconfirmedEvent) {
          // Caught up now: run the handler once more (the fact may have landed since it looked),
          // and what it still cannot confirm is refused. Not yet (or Kafka cannot say): wait.
          if (facts) factsEnds ??= await facts.ends().catch(() => null)
          factsCaughtUp = !facts || (factsEnds !== null && await facts.reached(factsEnds).catch(() => false))
          if (factsCaughtUp) continue
          if (stopping.signal.aborted) throw err
          metrics?.retried.inc({ group: options.group, kind: 'awaiting-facts' })
          log().info({ rule: err.rule, attempt }, 'waiting for the facts consumer to record what would confirm this event')
          await sleep(backoffDelay(attempt, options.backoff), stopping.signal)
          await heartbeat()
          continue
        }
        const kind = err instanceof UndecodableMessage ? 'permanent' : classify(err)
        if (kind === 'permanent') {
          await deadLetter(message, at, reasonOf(err), err, log)
          return 'dead_lettered'
        }
        // Not the message's fault: the database or registry is away, or picked this transaction as
        // a victim. Wait and try again; when stopping, leave the offset for the next owner.
        if (stopping.signal.aborted) throw err
        metrics?.retried.inc({ group: options.group, kind })
        if (kind === 'contention' && ++contention === options.alertAfterContentionAttempts) {
          log().error({ err, attempt }, 'still a victim of contention after many attempts; retrying on (a hot row, or a lock held elsewhere)')
        } else {
          log().warn({ err, attempt, kind }, 'retrying message')
        }
        await sleep(backoffDelay(attempt, options.backoff), stopping.signal)
        await heartbeat()
      }
    }
  }

  /** Counts a message's outcome, and says it at debug level (dead letters and refusals said theirs). */
  function done(message: KafkaMessage, at: At, outcome: Outcome): void {
    metrics?.consumed.inc({ group: options.group, result: outcome })
    if (outcome !== 'dead_lettered' && outcome !== 'refused' && (logger.isLevelEnabled?.('debug') ?? true)) {
      messageLogger(message, at)().debug({ outcome }, outcome)
    }
  }

  /**
   * A run of one partition's messages in ONE transaction: the inbox claims all of them in one
   * statement, each fresh event's handler runs in offset order (an event sees what the ones before
   * it in the run wrote), the outbox takes everything they emit in one insert, and one commit
   * keeps it all, or nothing. Same guarantees as one transaction per event: the claims and the
   * effects commit together, so a redelivered run is deduplicated whole; per-key order holds
   * because a partition's events are handled in order. Row locks a handler takes (a hot product's)
   * are held until the run commits, so a run is at most `eventsPerTransaction` events, and waits
   * for a lock at most `batchLockWaitMs`.
   *
   * Returns each message's outcome, or null when they must be handled one transaction each:
   * a message that is not a decodable event, a handler that throws (a refusal, an unconfirmed
   * event, a bug), an outage, a lock wait: the run is rolled back, and `handle` does what it does
   * for each message alone (retries, waits, dead letters).
   */
  async function handleTogether(messages: KafkaMessage[], topic: string, partition: number): Promise<Outcome[] | null> {
    const outcomes: Outcome[] = []
    const work: { index: number; entry: InboxEntry; step: Step<EventType>; payload: Events[EventType]; cause: Cause }[] = []
    const inRun = new Set<string>()
    for (const [index, message] of messages.entries()) {
      const at = { topic, partition, offset: message.offset }
      const named = message.headers?.['event-type']?.toString()
      if (named !== undefined && !Object.hasOwn(saga, named)) { outcomes[index] = skip(named, messageLogger(message, at)); continue }
      if (!message.value) return null
      let decoded: Decoded
      try {
        decoded = await codec.decode(message.value)
      } catch (err) {
        if (!(err instanceof UnknownEventType)) return null
        outcomes[index] = skip(err.recordName, messageLogger(message, at))
        continue
      }
      const step = saga[decoded.type] as Step<EventType> | undefined
      if (!step) { outcomes[index] = 'ignored'; continue }
      const payload = decoded.payload as unknown as Events[EventType]
      // The same event twice in one run (a producer's retry): the first is the one handled.
      if (inRun.has(payload.eventId)) { outcomes[index] = 'deduplicated'; continue }
      inRun.add(payload.eventId)
      work.push({ index, entry: { eventId: payload.eventId, eventType: decoded.type, ...at }, step, payload, cause: causeOf(decoded, message.headers) })
    }
    if (work.length === 0) return outcomes
    let emittedAny = false
    try {
      await db.transaction(async (trx) => {
        await dialect.boundLockWaits(trx, options.batchLockWaitMs)
        const fresh = await inbox.claimAll(trx, work.map((w) => w.entry))
        const reactions: Reaction[] = []
        for (const w of work) {
          if (!fresh.has(w.entry.eventId)) { outcomes[w.index] = 'deduplicated'; continue }
          reactions.push({ events: await w.step.handle(w.payload, trx), cause: w.cause })
          outcomes[w.index] = 'handled'
        }
        const enqueued = await outbox.enqueueAll(trx, reactions)
        emittedAny = enqueued.some((events) => events.length > 0)
      })
    } catch (err) {
      metrics?.retried.inc({ group: options.group, kind: 'one-at-a-time' })
      logger.debug({ err, topic, partition, from: messages[0]!.offset, count: messages.length }, 'a run of events in one transaction failed; handling them one transaction each')
      return null
    }
    if (emittedAny) onCommitted()
    return outcomes
  }

  /** Purges the group's old inbox rows on the pool, beside the handling of messages. */
  async function purgeInbox(): Promise<void> {
    const { retentionMs, intervalMs } = options.inboxPurge
    while (!stopping.signal.aborted) {
      await sleep(intervalMs, stopping.signal)
      if (stopping.signal.aborted) return
      try {
        const deleted = await inbox.purge(db, new Date(Date.now() - retentionMs), options.inboxPurge, () => stopping.signal.aborted)
        if (deleted > 0) logger.debug({ deleted }, 'purged handled inbox rows')
      } catch (err) {
        logger.warn({ err }, 'purging the inbox failed; trying again next interval')
      }
    }
  }

  return {
    async start() {
      if (topics.length === 0) return
      purging ??= purgeInbox()
      consumer = kafka.consumer({ groupId: options.group, allowAutoTopicCreation: false })
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        metrics?.lag.set({ group: options.group, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag))
      })
      await consumer.connect()
      await consumer.subscribe({ topics, fromBeginning: true })
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: options.offsetCommitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
          for (let start = 0; start < batch.messages.length; start += runSize) {
            if (!isRunning() || isStale()) break
            const run = batch.messages.slice(start, start + runSize)
            const together = run.length > 1 ? await handleTogether(run, batch.topic, batch.partition) : null
            if (together) {
              run.forEach((message, i) => done(message, { topic: batch.topic, partition: batch.partition, offset: message.offset }, together[i]!))
              resolveOffset(run.at(-1)!.offset)
              await heartbeat()
              continue
            }
            for (const message of run) {
              if (!isRunning() || isStale()) break
              const at = { topic: batch.topic, partition: batch.partition, offset: message.offset }
              const outcome = await handle(message, at, heartbeat, messageLogger(message, at))
              done(message, at, outcome)
              resolveOffset(message.offset)
              await heartbeat()
            }
          }
          await commitOffsetsIfNecessary()
        },
      })
    },
    async stop() {
      stopping.abort()
      await consumer?.disconnect()
      consumer = null
      await purging
    },
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof UndecodableMessage) return 'undecodable'
  if (err instanceof Error && err.name === 'InvalidEvent') return 'handler emitted an invalid event'
  return 'handler failed'
}
