// The one way to run a service as a process, shared by ./choreo up, the benchmarks, the chaos runner and the e2e tests.
export { freePort } from './free-port.ts'
export { healthStatus, launchService, SERVICES, STOP_GRACE_MS, waitForHealth, type Exit, type HealthAccept, type LaunchOptions, type ServiceName, type ServiceProcess } from './launch.ts'
export { serviceEnv, type KafkaCredentials, type ServiceSettings } from './service-env.ts'
