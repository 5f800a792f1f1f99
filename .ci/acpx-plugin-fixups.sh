#!/usr/bin/env bash
# Adapts the acpx plugin bundled with openclaw@2026.4.29 (dist/extensions/acpx) so a newer
# gateway can load it as a local plugin: 7.x and 9.x no longer ship acpx, and the external
# @openclaw/acpx is not served by the npm registry here (docs/openclaw-versions.md).
#
#   bash .ci/acpx-plugin-fixups.sh <plugin dir> <openclaw version> <openclaw package dir>
#
# Only imports of plugin-sdk subpaths that the target version no longer exports are rewritten;
# everything else stays as 4.29 built it.
set -euo pipefail
PLUGIN="$1"
VERSION="$2"
PKG="$3"

has_export() {
  node -e 'const p=require(process.argv[1]);process.exit(p.exports&&p.exports[process.argv[2]]?0:1)' "$PKG/package.json" "./plugin-sdk/$1"
}

# The plugin declares its own runtime deps; drop the two agent adapters it does not need here
# (they pull large downloads) and pin zod for a gateway whose plugin-sdk has no zod subpath.
node -e '
  const fs = require("fs");
  const file = process.argv[1] + "/package.json";
  const p = JSON.parse(fs.readFileSync(file, "utf8"));
  const deps = { acpx: p.dependencies.acpx };
  if (process.argv[2] === "add-zod") deps.zod = "^4";
  p.dependencies = deps;
  delete p.devDependencies;
  fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
' "$PLUGIN" "$(has_export zod && echo keep || echo add-zod)"

if ! has_export text-runtime; then
  # normalizeLowercaseStringOrEmpty: String(value ?? "").trim().toLowerCase(), inlined.
  for f in "$PLUGIN"/*.js; do
    if grep -q 'from "openclaw/plugin-sdk/text-runtime"' "$f"; then
      sed -i 's#^import { normalizeLowercaseStringOrEmpty } from "openclaw/plugin-sdk/text-runtime";#const normalizeLowercaseStringOrEmpty = (value) => (typeof value === "string" ? value : "").trim().toLowerCase();#' "$f"
    fi
  done
fi
if ! has_export zod; then
  sed -i 's#from "openclaw/plugin-sdk/zod"#from "zod"#' "$PLUGIN"/*.js
fi
if grep -l 'openclaw/plugin-sdk/text-runtime\|openclaw/plugin-sdk/zod' "$PLUGIN"/*.js 2>/dev/null | grep -q . && ! has_export text-runtime; then
  echo "acpx-plugin-fixups: an import could not be rewritten for openclaw@$VERSION" >&2
  exit 1
fi
echo "acpx plugin adapted for openclaw@$VERSION" >&2
