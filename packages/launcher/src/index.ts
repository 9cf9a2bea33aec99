// The one way to run a service as a process, shared by ./choreo up, the benchmarks, the chaos runner and the e2e tests.
export { freePort } from './free-port.ts'
export { healthStatus, launchService, SERVICES, STOP_GRACE_MS, waitForHealth, type Exit, type HealthAccept, type LaunchOptions, type ServiceName, type ServiceProcess } from './launch.ts'
// A service's environment is built in platform's core, where the test kit builds its in-process apps' from too.
export { serviceEnv, type KafkaCredentials, type ServiceSettings } from '@choreo/platform'
