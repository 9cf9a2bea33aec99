// `@choreo/platform`: the light core any process may load (config, database, migrations, errors, tokens, schemas, HTTP
// idempotency keys); nothing here loads Fastify. Building and serving a service's HTTP app is `@choreo/platform/http`.
export { loadConfig, baseConfigSchema, brokersOf, kafkaSaslOf, ConfigError, type KafkaSaslConfig } from './config.ts'
export { createDb, databaseReachable, type DbOptions } from './db.ts'
export { migrate } from './migrate.ts'
export { DomainError, NotFound, Conflict, Unprocessable, BadRequest, Unauthorized, Forbidden, TooManyRequests, UnsupportedMediaType } from './errors.ts'
export { mintToken, type Role, type TokenClaims } from './tokens.ts'
export {
  idempotencyKeyOf, idempotencyKeyReused, IdempotencyKeyHeaders, IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH,
  claimIdempotencyKey, IdempotencyKeyTaken, onceByKey, type KeyedRequest,
} from './idempotency-key.ts'
export { Id, ID_PATTERN, Text, TEXT_PATTERN, ErrorBody } from './schemas.ts'
