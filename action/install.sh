#!/usr/bin/env bash
# Builds linkaudit in the action's own checkout: no checkout of linkaudit is needed in the
# workflow. Quiet unless it fails.
set -euo pipefail
cd "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
if [[ -f dist/cli.js && -f dist/about.json ]]; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
