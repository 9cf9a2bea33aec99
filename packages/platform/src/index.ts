export { loadConfig, baseConfigSchema, brokersOf, kafkaSaslOf, ConfigError, type KafkaSaslConfig } from './config.ts'
export { createDb, databaseReachable, type DbOptions } from './db.ts'
export { migrate } from './migrate.ts'
export { DomainError, NotFound, Conflict, Unprocessable, BadRequest, Unauthorized, Forbidden, TooManyRequests, UnsupportedMediaType } from './errors.ts'
export { createHttp, BODY_LIMIT_BYTES, type HttpApp, type HttpOptions } from './http.ts'
export { serve } from './lifecycle.ts'
export {
  attachService, defineService, type BuildOptions, type DefinedService, type DefinedServiceConfig, type FactsPage, type PlatformOptions, type SagaPage,
  type ServiceConfig, type ServiceDefinition, type ServiceParts,
} from './service.ts'
export { requestCause } from './cause.ts'
export { mintToken, type Role, type TokenClaims } from './tokens.ts'
export { callerOf, type Access, type Caller } from './auth.ts'
export { mayActFor, assertActingFor } from './ownership.ts'
export { perCallerPerMinute } from './rate-limit.ts'
export {
  idempotencyKeyOf, idempotencyKeyReused, IdempotencyKeyHeaders, IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH,
  claimIdempotencyKey, IdempotencyKeyTaken, onceByKey, type KeyedRequest,
} from './idempotency-key.ts'
export { Id, ID_PATTERN, Text, TEXT_PATTERN, ErrorBody } from './schemas.ts'
