// `@choreo/platform`: the light core any process may load (config, a service's environment, database and scratch
// databases, migrations, errors, tokens, schemas, HTTP idempotency keys); nothing here loads Fastify. Building and serving a service's HTTP app is `@choreo/platform/http`.
export { loadConfig, baseConfigSchema, brokersOf, kafkaSaslOf, ConfigError, type KafkaSaslConfig } from './config.ts'
export { createDb, type DbOptions } from './db.ts'
export {
  createScratchDatabase, createDatabases, dropDatabases, databaseUrl, openOrCreateDatabase, type ScratchDatabase, type ScratchOptions,
} from './scratch-database.ts'
export { migrate } from './migrate.ts'
export { serviceEnv, DEFAULT_HOST, type KafkaCredentials, type ServiceSettings } from './service-env.ts'
export { NotFound, Conflict, Unprocessable, BadRequest } from './errors.ts'
export { bearer, mintToken, type Role, type TokenClaims } from './tokens.ts'
export {
  idempotencyKeyOf, IdempotencyKeyHeaders, claimIdempotencyKey, onceByKey, type KeyedRequest,
} from './idempotency-key.ts'
export { Id, ID_PATTERN, Text, TEXT_PATTERN, ErrorBody } from './schemas.ts'
