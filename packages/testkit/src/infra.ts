// Where the stack under test is (brokers, registry, databases, credentials), as global-setup.ts found it and handed it to every test file.
import { inject } from 'vitest'

/** Where the infrastructure under test is, as found by global-setup.ts. */
/** SCRAM credentials of one Kafka principal. */
export type KafkaCredentials =
  | { mechanism: 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }

export interface Infra {
  brokers: string[]
  /** The operator's credentials (a super user), where Kafka requires them: every test client uses these. */
  sasl?: KafkaCredentials
  /** Each service principal's credentials on the native stack, for tests of what the broker lets it do. */
  principals?: Record<string, KafkaCredentials>
  registryUrl: string
  /** A PostgreSQL URL with rights to create databases; tests make their own from it. */
  postgresUrl: string
  /** A SQL Server URL with rights to create databases, or why there is none. */
  mssql: { url: string } | { skipped: string }
  /** How it was found: 'environment', 'testcontainers' or 'native'. */
  source: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: Infra
  }
}

export function infra(): Infra {
  return inject('infra')
}
