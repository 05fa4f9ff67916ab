#!/usr/bin/env bash
# The action's last step: the scan's exit code is the step's (0 passed, 1 gate failed, 2 usage or
# input error), after the reports were uploaded.
set -euo pipefail
code="${EXIT_CODE:-}"
if [[ -z "$code" ]]; then echo "linkaudit: the scan step recorded no exit code" >&2; exit 2; fi
if [[ "$code" != "0" ]]; then echo "linkaudit: exit $code (see the scan step and the reports)" >&2; fi
exit "$code"
