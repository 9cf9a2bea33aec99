// The explorer's configuration, read once from the environment and validated at start-up, naming the variable that is wrong.
import { join } from 'node:path'
import { Type } from 'typebox'
import { baseConfigSchema, loadConfig } from '@choreo/platform'
import { readSettings, type Settings } from '@choreo/tools/lib/settings.ts'

const explorerSchema = {
  HOST: baseConfigSchema.HOST,
  EXPLORER_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: '0: any free port (the tests)' }),
  LOG_LEVEL: baseConfigSchema.LOG_LEVEL,
  // The services' key: the explorer accepts the same admin tokens (./choreo explorer mints one).
  JWT_SECRET: baseConfigSchema.JWT_SECRET,
  // Where kcat finds the brokers and the operator's credentials, as the copied kcat commands name it.
  KCAT_CONFIG: Type.String({ minLength: 1, default: '.run/kafka/1-node/credentials/kcat.conf' }),
  SHUTDOWN_TIMEOUT_MS: baseConfigSchema.SHUTDOWN_TIMEOUT_MS,
  // The repairs' audit trail: the explorer keeps no database of its own.
  EXPLORER_AUDIT_FILE: Type.String({ minLength: 1, default: join(import.meta.dirname, '..', '..', '.run', 'explorer-audit.jsonl') }),
}

export interface ExplorerConfig {
  host: string
  port: number
  logLevel: string
  jwtSecret: string
  kcatConfig: string
  auditFile: string
  shutdownTimeoutMs: number
  /** Kafka, the registry and the three databases, read as the ./choreo commands read them. */
  settings: Settings
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ExplorerConfig {
  const c = loadConfig(explorerSchema, env)
  return {
    host: c.HOST, port: c.EXPLORER_PORT, logLevel: c.LOG_LEVEL, jwtSecret: c.JWT_SECRET, kcatConfig: c.KCAT_CONFIG, auditFile: c.EXPLORER_AUDIT_FILE,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS, settings: readSettings({}, env),
  }
}
