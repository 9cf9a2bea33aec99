// The explorer's process: reads its configuration once, builds the app over the tools' clients, and serves it as the services are served (graceful close on SIGTERM/SIGINT).
import { serve } from '@choreo/platform/http'
import { openClients } from '@choreo/tools/lib/clients.ts'
import { buildExplorer } from './app.ts'
import { readConfig } from './config.ts'

const config = readConfig()
const app = await buildExplorer({ clients: openClients(config.settings), jwtSecret: config.jwtSecret, kcatConfig: config.kcatConfig, auditFile: config.auditFile, logger: { level: config.logLevel } })
await serve(app, { host: config.host, port: config.port, shutdownTimeoutMs: config.shutdownTimeoutMs })
