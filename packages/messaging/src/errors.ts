/** Base of every error the messaging package throws. `retriable` says whether trying again may help. */
export class MessagingError extends Error {
  readonly retriable: boolean
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.retriable = options.retriable ?? false
  }
}

/** An event that does not match its Avro schema; thrown at enqueue, so the business transaction fails. */
export class InvalidEvent extends MessagingError {
  readonly eventType: string
  readonly paths: string[]
  constructor(eventType: string, paths: string[]) {
    super(`${eventType} does not match its schema at: ${paths.join(', ') || '(root)'}`)
    this.eventType = eventType
    this.paths = paths
  }
}

/** A message that cannot be decoded: wrong magic byte, unknown schema id, corrupt bytes, unknown record. */
export class UndecodableMessage extends MessagingError {}

/**
 * A well-formed event of a type this code base has no schema for: a newer producer's, during a
 * rolling upgrade. Not the message's fault: a consumer skips it, as any type it has no handler for.
 */
export class UnknownEventType extends MessagingError {
  readonly recordName: string
  constructor(recordName: string, schemaId: number) {
    super(`schema id ${schemaId} is ${recordName}, an event this code base does not know`)
    this.recordName = recordName
  }
}

/** The registry did not answer or refused a schema. */
export class RegistryError extends MessagingError {}

/**
 * A handler's refusal: the event does not fit what the service knows of its order (a release of
 * a shipped order, say), so it is a forgery or a bug upstream. Dead-lettered with `refused: <rule>`
 * as its reason, counted (`consumed{result="refused"}`), never retried, never applied.
 *
 * `containment: 'commit'` is for an event that reports a fact done elsewhere (a refund already
 * paid out) and cannot be refused away: what the handler wrote before throwing commits with the
 * inbox row (it contains the damage, as holding a shipment does), it emits nothing, and the
 * message is still dead-lettered (before that commit) and counted as refused so that someone
 * looks at it.
 */
export class RefusedEvent extends MessagingError {
  readonly rule: string
  readonly containment: 'rollback' | 'commit'
  constructor(rule: string, message: string, options: { containment?: 'rollback' | 'commit' } = {}) {
    super(message)
    this.rule = rule
    this.containment = options.containment ?? 'rollback'
  }
}

/**
 * A handler cannot yet tell whether the event fits what its service knows: the fact that would
 * vouch for it (the OrderPlaced of a StockReserved, say) arrives on another topic, read by the
 * service's facts consumer (`Messaging.start`'s second page), which may be behind. The consumer
 * then asks Kafka whether that reader has consumed every fact topic up to its end: if not, the
 * event waits (retried with backoff, never dead-lettered: it is not the event's fault); if so, the
 * handler runs once more, and a second UnconfirmedEvent is a refusal with `rule`, as RefusedEvent.
 */
export class UnconfirmedEvent extends MessagingError {
  readonly rule: string
  constructor(rule: string, message: string) {
    super(message)
    this.rule = rule
  }
}
