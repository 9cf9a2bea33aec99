export * from './events.generated.ts'
export * from './envelope.ts'
export * from './topics.ts'
export * from './kafka-grants.ts'
