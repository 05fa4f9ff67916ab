#!/usr/bin/env bash
# The browser tests (test/reporters/html-browser.test.ts) drive Debian's Chromium; install it when
# it is missing. Fails loudly: a CI without a browser must not pass by skipping them.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
sudo=""
if [[ "$(id -u)" != "0" ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
