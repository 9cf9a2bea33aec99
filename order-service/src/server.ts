import { serve } from '@choreo/platform/http'
import { build } from './app.ts'
import { readConfig } from './config.ts'

// Owns the process: configuration, listening, graceful shutdown. app.ts builds the app.
const config = readConfig()
const app = await build(config, { logger: { level: config.LOG_LEVEL } })
await serve(app, { host: config.HOST, port: config.PORT, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS })
