// Kafka Connect standalone with Debezium's outbox connector (jars fetched once from Maven Central), run as a child process for the relay benchmark.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { freePort } from '@choreo/launcher'
import { ROOT } from './results.ts'
import { progress } from './log.ts'

const INFRA = path.join(ROOT, 'infra/debezium')
const CACHE = path.join(ROOT, '.cache/debezium')
const LIBS = path.join(CACHE, 'libs')
const STOP_GRACE_MS = 20_000

/** Kafka Connect and Debezium from Maven Central (infra/debezium/pom.xml), fetched once into .cache/. */
export function ensureConnectClasspath(): void {
  const pom = path.join(INFRA, 'pom.xml')
  const stamp = path.join(CACHE, '.pom')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === readFileSync(pom, 'utf8')) return
  progress('fetching Kafka Connect and Debezium from Maven Central (infra/debezium/pom.xml)')
  mkdirSync(CACHE, { recursive: true })
  execFileSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`, '-DincludeScope=runtime'], { stdio: ['ignore', 'inherit', 'inherit'] })
  writeFileSync(stamp, readFileSync(pom, 'utf8'))
}

export interface ConnectSettings {
  brokers: string[]
  /** The stack's operator, whom Kafka asks for a password. */
  sasl: { username: string; password: string }
  database: { host: string; port: number; user: string; password: string; name: string }
  /** Replication slot and publication name: the bench's cleanup drops every slot starting `bench_`. */
  slot: string
  workDir: string
}

export interface ConnectProcess {
  readonly logFile: string
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>
}

function fill(template: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`@${k}@`, String(v)), readFileSync(path.join(INFRA, template), 'utf8'))
}

/** Starts Kafka Connect standalone with the outbox connector; its output goes to workDir/connect.log. */
export async function startConnect(settings: ConnectSettings): Promise<ConnectProcess> {
  mkdirSync(settings.workDir, { recursive: true })
  const worker = path.join(settings.workDir, 'worker.properties')
  const connector = path.join(settings.workDir, 'connector.properties')
  const logFile = path.join(settings.workDir, 'connect.log')
  // It holds the operator's password: readable by this user alone, and removed once Connect stops.
  writeFileSync(worker, fill('connect-standalone.properties', {
    BROKERS: settings.brokers.join(','), SASL_USERNAME: settings.sasl.username, SASL_PASSWORD: settings.sasl.password, REST_PORT: await freePort(), OFFSETS_FILE: path.join(settings.workDir, 'offsets'),
  }), { mode: 0o600 })
  const db = settings.database
  writeFileSync(connector, fill('outbox-connector.properties', {
    DB_HOST: db.host, DB_PORT: db.port, DB_USER: db.user, DB_PASSWORD: db.password, DB_NAME: db.name,
    SERVER_NAME: settings.slot, SLOT: settings.slot,
  }))
  const child: ChildProcess = spawn('java', [
    '-Xms256m', '-Xmx768m', `-Dlog4j2.configurationFile=${path.join(INFRA, 'log4j2.properties')}`,
    '-cp', `${LIBS}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', worker, connector,
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  const log = createWriteStream(logFile)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const exited = new Promise<void>((resolve) => child.once('exit', () => { rmSync(worker, { force: true }); resolve() }))
  // Never leave a JVM behind, whatever ends this process.
  const killOnExit = (): void => { child.kill('SIGKILL') }
  process.once('exit', killOnExit)
  return {
    logFile,
    async stop() {
      process.off('exit', killOnExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(timer)
    },
  }
}
