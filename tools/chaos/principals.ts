// The Kafka principal each of the run's service instances runs as, where Kafka authenticates: its own name and the stack's password for it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KafkaCredentials } from '@choreo/launcher'
import type { Options } from './options.ts'
import type { Service } from './plan.ts'

/**
 * The Kafka credentials a service instance of the run starts with: its own principal's, read
 * from the stack's credentials folder (infra/bin/stack.sh), where Kafka requires any.
 */
export function principalOf(service: Service, options: Pick<Options, 'sasl' | 'credentialsDir'>): KafkaCredentials | undefined {
  if (!options.sasl) return undefined
  if (!options.credentialsDir) throw new Error('KAFKA_CREDENTIALS is not set: the services have no Kafka principals to run as (run through ./choreo)')
  const password = readFileSync(join(options.credentialsDir, `${service}.password`), 'utf8').trim()
  return { mechanism: options.sasl.mechanism, username: service, password }
}
