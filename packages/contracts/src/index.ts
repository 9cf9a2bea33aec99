// `@choreo/contracts`: what the three services agree on (event types generated from schemas/, topics, Kafka grants, order lines, money).
export * from './events.generated.ts'
export * from './envelope.ts'
export * from './topics.ts'
export * from './kafka-grants.ts'
export * from './modification.ts'
export * from './lines.ts'
export * from './money.ts'
