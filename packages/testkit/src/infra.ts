import { inject } from 'vitest'

/** Where the infrastructure under test is, as found by global-setup.ts. */
export interface Infra {
  brokers: string[]
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
