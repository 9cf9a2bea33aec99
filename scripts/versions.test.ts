import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The versions a newcomer reads in the README are the ones the scripts install, and package.json's
// `engines` is the Node the bootstrap accepts: each is written in two places, so one can drift.

const readme = readFileSync('README.md', 'utf8')
const bootstrap = readFileSync('infra/bin/bootstrap.sh', 'utf8')
const pom = readFileSync('infra/pom.xml', 'utf8')

/** Every version the README gives for a component, e.g. every `Kafka 4.1.1`. */
function readmeVersions(component: string): string[] {
  return [...readme.matchAll(new RegExp(`${component}\\*{0,2} (\\d+\\.\\d+\\.\\d+)`, 'g'))].map((m) => m[1]!)
}

describe('versions stated twice', () => {
  it('Apicurio Registry: the README, the bootstrap and infra/pom.xml name the one that runs', () => {
    const installed = /^APICURIO_VERSION=(\S+)$/m.exec(bootstrap)?.[1]
    expect(installed).toMatch(/^\d+\.\d+\.\d+$/)
    expect(readmeVersions('Apicurio Registry')).toEqual([installed, installed])
    const inPom = /<apicurio\.version>([^<]+)<\/apicurio\.version>/.exec(pom)?.[1]
    // The pom fetches Kafka only; a property naming Apicurio must not contradict the bootstrap.
    if (inPom !== undefined) expect(inPom, 'infra/pom.xml apicurio.version').toBe(installed)
  })

  it('Kafka: the README names the one infra/pom.xml fetches', () => {
    const fetched = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]
    expect(fetched).toMatch(/^\d+\.\d+\.\d+$/)
    expect(readmeVersions('Kafka')).toEqual([fetched, fetched])
  })

  it("Node: package.json's engines and the README name the major the bootstrap accepts, the one it installs", () => {
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node
    const accepted = /major" -lt (\d+) \]/.exec(bootstrap)?.[1]
    const installed = /^NODE_VERSION=(\d+)\./m.exec(bootstrap)?.[1]
    expect(accepted).toMatch(/^\d+$/)
    expect(engines).toBe(`>=${accepted}`)
    expect(installed).toBe(accepted)
    expect(/when the machine's Node is older than\s+(\d+)/.exec(readme)?.[1], 'README, Choices').toBe(accepted)
  })
})
