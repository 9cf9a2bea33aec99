// `@choreo/platform/http`: a service's HTTP app on Fastify (the service skeleton, auth and callers, rate limits, serving);
// the light core without Fastify is `@choreo/platform`.
export { createHttp, type HttpApp, type HttpOptions } from './http.ts'
export { serve } from './lifecycle.ts'
export { redactingLogger } from './log-redaction.ts'
export {
  attachService, defineService, type BuildOptions, type DefinedService, type DefinedServiceConfig, type FactsPage, type PlatformOptions, type SagaPage,
  type ServiceConfig, type ServiceDefinition, type ServiceParts,
} from './service.ts'
export { requestCause } from './cause.ts'
export { callerOf, type Access, type Caller } from './auth.ts'
export { mayActFor, assertActingFor } from './ownership.ts'
export { perCallerPerMinute } from './rate-limit.ts'
