// Kafka clients as the services make them: logging to the service's logger, SCRAM where asked, an idempotent producer pinning partitions.
import { Kafka, logLevel, type LogEntry, type Producer } from 'kafkajs'
import type { Logger } from './logger.ts'
import { pinnedPartitioner } from './pinned-partitioner.ts'

/** SCRAM credentials: every client of the local stack's Kafka and of infra/docker-compose.yml's gives them. */
export type KafkaSasl =
  | { mechanism: 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }

export interface KafkaOptions {
  clientId: string
  brokers: string[]
  sasl?: KafkaSasl
}

// kafkajs logs through its own logger; route it to the service's, at WARN and above.
function logCreator(logger: Logger) {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, ...extra } = log
    const entry = { kafkajs: namespace, ...extra }
    if (level === logLevel.ERROR) logger.error(entry, message)
    else if (level === logLevel.WARN) logger.warn(entry, message)
  }
}

export function createKafka(options: KafkaOptions, logger: Logger): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.sasl ? { sasl: options.sasl } : {}),
    logLevel: logLevel.WARN,
    logCreator: logCreator(logger),
    retry: { initialRetryTime: 100, retries: 8 },
  })
}

/**
 * An idempotent producer: the broker drops a batch it has already written when a retry
 * resends it, and one request in flight keeps a partition's order across retries. Its partitioner
 * pins each message's partition, so sendAcknowledged can check every partition was acknowledged.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: pinnedPartitioner,
    retry: { retries: 5 },
  })
}
