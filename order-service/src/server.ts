// order-service's process: reads its configuration, listens, and on SIGTERM/SIGINT closes gracefully (serve); app.ts builds the app.
import { serve } from '@choreo/platform/http'
import { build } from './app.ts'
import { readConfig } from './config.ts'

const config = readConfig()
const app = await build(config, { logger: { level: config.LOG_LEVEL } })
await serve(app, { host: config.HOST, port: config.PORT, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS })
