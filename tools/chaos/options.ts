// `./choreo chaos`'s command line and environment, read once into the run's options: profile, seed, infra mode, skipped faults, the stack.
import { parseArgs } from 'node:util'
import { Type } from 'typebox'
import type { KafkaSasl } from '@choreo/messaging'
import { baseConfigSchema, brokersOf, kafkaSaslOf, loadConfig } from '@choreo/platform'
import { FAULT_KINDS, type FaultKind } from './plan.ts'
import { longProfile, onNodes, shortProfile, type Profile } from './profile.ts'
import type { PostgresServer } from './run-resources.ts'
import type { InfraMode } from './stack-control.ts'

export const USAGE = `usage: ./choreo chaos --short | --minutes N [options]
  --short                     the seeded run of ./choreo test: a few minutes, a few of each fault
  --minutes N                 the long run: N minutes of load and faults (30 give ≥ 1,000 faults)
  --broker-outage-minutes M   then stop Kafka for M minutes under load; the drain after it must be ≤ 90 s
  --seed S                    the PRNG seed (default: from the clock, printed)
  --infra restart|pause|none  shared-stack faults: real Kafka/registry/PostgreSQL restarts (default),
                              SIGSTOP/SIGCONT of Kafka and the registry (no PostgreSQL), or none
  --skip KIND[,KIND…]         leave these faults out of the plan (the rest stay as planned), e.g.
                              --skip registry,postgres on a stack whose registry is not this checkout's;
                              kinds: ${FAULT_KINDS.join(', ')}
  --keep                      keep the run's databases, topics and consumer groups (and the newer build)
Both runs upgrade the services to a newer build under load (tools/chaos/fixtures/newer-build.patch);
the long one then rolls them back and upgrades them again. --skip upgrade leaves that out.
On a three-node stack (./choreo --brokers 3, or CHOREO_BROKERS=3) the run adds broker kills, rolling
restarts, leader moves, controller failovers and silent PostgreSQL connections.`

/** What the run reads from the environment: the stack ./choreo describes, its defaults those of the local stack. */
const envSchema = {
  KAFKA_BROKERS: baseConfigSchema.KAFKA_BROKERS,
  KAFKA_SASL_MECHANISM: baseConfigSchema.KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME: baseConfigSchema.KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD: baseConfigSchema.KAFKA_SASL_PASSWORD,
  // Set by infra/bin/stack.sh: where each service principal's password is (<name>.password).
  KAFKA_CREDENTIALS: Type.Optional(Type.String({ minLength: 1 })),
  SCHEMA_REGISTRY_URL: baseConfigSchema.SCHEMA_REGISTRY_URL,
  PGHOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PGPORT: Type.Integer({ minimum: 1, maximum: 65535, default: 5432 }),
  PGUSER: Type.String({ minLength: 1, default: 'postgres' }),
  // Set by infra/bin/stack.sh: three nodes turn the cluster's faults on.
  CHOREO_BROKERS: Type.Integer({ minimum: 1, maximum: 9, default: 1 }),
}

/** A mistake in the command line, naming the option. */
export class OptionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OptionError'
  }
}

export interface Options {
  profile: Profile
  seed: number
  infra: InfraMode | 'none'
  /** Fault kinds left out of the plan. */
  skip: ReadonlySet<FaultKind>
  /** Kafka nodes in the stack. */
  nodes: number
  keep: boolean
  brokers: string[]
  /** The operator's credentials, where Kafka requires them; the services then run as their own principals. */
  sasl: KafkaSasl | undefined
  /** Where each service principal's password is, with `sasl`. */
  credentialsDir: string | undefined
  registryUrl: string
  postgres: PostgresServer
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new OptionError(`--${name} must be a positive number, not '${raw}'`)
  return value
}

/** Reads the command line and the environment once, failing with a message that names what is wrong (OptionError, ConfigError). */
export function readOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      short: { type: 'boolean', default: false },
      minutes: { type: 'string' },
      'broker-outage-minutes': { type: 'string' },
      seed: { type: 'string' },
      infra: { type: 'string', default: 'restart' },
      skip: { type: 'string', default: '' },
      keep: { type: 'boolean', default: false },
    },
  })
  const minutes = positive('minutes', values.minutes)
  if (values.short === (minutes !== undefined)) throw new OptionError('give either --short or --minutes N')
  const outage = positive('broker-outage-minutes', values['broker-outage-minutes']) ?? 0
  if (values.short && outage > 0) throw new OptionError('--broker-outage-minutes belongs to the long run (--minutes N)')
  const infra = values.infra
  if (infra !== 'restart' && infra !== 'pause' && infra !== 'none') throw new OptionError(`--infra must be restart, pause or none, not '${infra}'`)
  if (outage > 0 && infra !== 'restart') throw new OptionError('--broker-outage-minutes needs --infra restart')
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) throw new OptionError(`--seed must be a non-negative integer, not '${values.seed}'`)

  const skip = new Set<FaultKind>()
  for (const kind of values.skip.split(',').map((k) => k.trim()).filter(Boolean)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new OptionError(`--skip takes fault kinds (${FAULT_KINDS.join(', ')}), not '${kind}'`)
    skip.add(kind as FaultKind)
  }
  if (outage > 0 && skip.has('kafka')) throw new OptionError('--broker-outage-minutes stops Kafka: do not --skip kafka with it')

  const config = loadConfig(envSchema, env)

  const profile = onNodes(values.short ? shortProfile : longProfile(minutes ?? 0, outage), config.CHOREO_BROKERS)
  return {
    profile: {
      ...profile,
      // Only what the chosen mode can do: nothing to the shared stack with none, no PostgreSQL restart with pause.
      kafka: infra === 'none' ? { ...profile.kafka, restarts: 0 } : profile.kafka,
      registry: infra === 'none' ? { ...profile.registry, restarts: 0 } : profile.registry,
      postgres: infra === 'restart' ? profile.postgres : { restarts: 0 },
      // The silent connections are the run's own proxies: they stay with none.
      cluster: infra === 'none' ? { ...profile.cluster, brokerKills: 0, rollingRestarts: 0, controllerFailovers: 0, leaderMoves: 0 } : profile.cluster,
    },
    seed,
    infra,
    skip,
    nodes: config.CHOREO_BROKERS,
    keep: values.keep,
    brokers: brokersOf(config.KAFKA_BROKERS),
    sasl: kafkaSaslOf(config),
    credentialsDir: config.KAFKA_CREDENTIALS,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    postgres: { host: config.PGHOST, port: config.PGPORT, user: config.PGUSER },
  }
}
