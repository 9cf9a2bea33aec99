import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The image installs with --frozen-lockfile from the manifests alone: a workspace member whose
// package.json the Dockerfile does not copy makes that install fail on a Docker host, where
// nothing here can run it.
describe('infra/Dockerfile', () => {
  it('copies the package.json of every workspace member before installing', () => {
    const workspace = readFileSync('pnpm-workspace.yaml', 'utf8')
    const block = workspace.split(/^packages:\s*$/m)[1]!.split(/^\S/m)[0]!
    const patterns = [...block.matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]!)
    const members = patterns.flatMap((p) => p.endsWith('/*')
      ? readdirSync(p.slice(0, -2)).map((d) => `${p.slice(0, -2)}/${d}`).filter((d) => existsSync(`${d}/package.json`))
      : [p])
    const dockerfile = readFileSync('infra/Dockerfile', 'utf8')
    expect(members.length).toBeGreaterThan(5)
    for (const member of members) expect(dockerfile, member).toContain(`COPY ${member}/package.json ${member}/`)
  })
})
