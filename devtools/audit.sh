#!/usr/bin/env bash
# `make audit`: pip-audit over the locked requirements (constraints.txt), without installing them.
#
# pip-audit lives in its own venv (.venv-audit): it needs packaging>=23, Rasa 3.6 pins
# packaging<21, so it must never be installed into .venv.
#
# Advisory data: OSV (https://api.osv.dev), not pip-audit's default PyPI JSON API. OSV serves
# the PyPA advisory database (PYSEC ids, the data behind PyPI's JSON API) plus GitHub's
# reviewed advisories (GHSA ids) that have no PYSEC entry; and pip-audit answers a failing
# PyPI lookup (404 for /pypi/NAME/VERSION/json) by skipping the package and exiting 0,
# i.e. a silent pass. So we probe OSV first and use --strict as well.
#
# Exit codes: 0 no unlisted advisories, 1 advisories found (or the audit itself failed:
#             pip-audit error, a non-exact pin in constraints.txt, no curl),
#             2 advisory data unreachable from this machine (nothing was audited).
# Environment: OSV_URL (default https://api.osv.dev/v1/query; an OSV-compatible mirror works),
#              AUDIT_VENV (default .venv-audit), AUDIT_TIMEOUT (seconds, default 15).
# Advisories that Rasa 3.6.21's pins make unfixable are listed, with reasons, in
# devtools/known-advisories.txt and passed as --ignore-vuln; every other one fails the audit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PIP_AUDIT_VERSION=2.10.1
AUDIT_VENV=${AUDIT_VENV:-.venv-audit}
OSV_URL=${OSV_URL:-https://api.osv.dev/v1/query}
AUDIT_TIMEOUT=${AUDIT_TIMEOUT:-15}
LOCK=constraints.txt
KNOWN=devtools/known-advisories.txt

# 1. pip-audit in its own venv (created once, reused).
if ! "$AUDIT_VENV/bin/pip-audit" --version 2>/dev/null | grep -qx "pip-audit $PIP_AUDIT_VERSION"; then
  if python3.10 --version >/dev/null 2>&1; then python=python3.10; else python=python3; fi
  test -x "$AUDIT_VENV/bin/python" || "$python" -m venv "$AUDIT_VENV"
  "$AUDIT_VENV/bin/python" -m pip install --quiet --quiet --disable-pip-version-check "pip-audit==$PIP_AUDIT_VERSION"
fi

# 2. The requirements to audit: constraints.txt's `name==version` pins, plus the packages that
#    `pip freeze` leaves out of it (setuptools, wheel) as installed in .venv: Rasa 3.6 requires
#    both at run time (setuptools>=70.3.0,<70.4.0 and wheel>=0.38.1).
requirements=$(mktemp "${TMPDIR:-/tmp}/lotse-audit.XXXXXX")
trap 'rm -f "$requirements"' EXIT
pin='^[A-Za-z0-9][A-Za-z0-9._-]*==[^[:space:];#]+$'
grep -E "$pin" "$LOCK" > "$requirements" || true
unpinned=$(grep -v -E -e "$pin" -e '^[[:space:]]*(#|$)' "$LOCK" || true)
if [ -n "$unpinned" ]; then
  echo "not an exact pin, so not audited (fix constraints.txt): $(echo "$unpinned" | tr '\n' ' ')" >&2
  exit 1
fi
if [ -x .venv/bin/python ]; then
  .venv/bin/python -m pip list --format=freeze --disable-pip-version-check 2>/dev/null \
    | grep -i -E '^(setuptools|wheel)==' >> "$requirements" || true
else
  echo "note: no .venv, so setuptools and wheel (left out of constraints.txt by pip freeze) are not audited" >&2
fi

# 3. Accepted advisories: the first field of every non-comment line of known-advisories.txt.
ignore=()
while read -r id _; do
  case "$id" in ''|'#'*) continue ;; esac
  ignore+=(--ignore-vuln "$id")
done < "$KNOWN"

# 4. Is the advisory data reachable? A real OSV query for a version with known advisories
#    (jinja2 2.10, CVE-2019-10906): a proxy or portal that answers 200 without data fails too.
command -v curl >/dev/null || { echo "devtools/audit.sh needs curl" >&2; exit 1; }
probe='{"package":{"name":"jinja2","ecosystem":"PyPI"},"version":"2.10"}'
if ! answer=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' -d "$probe" "$OSV_URL" 2>&1); then
  reason=$(echo "$answer" | tail -n 1 | sed 's/^curl: ([0-9]*) //')
  echo "advisory data unreachable from this machine: $OSV_URL ($reason); run \`make audit\` where $OSV_URL is reachable" >&2
  exit 2
elif ! grep -q '"vulns"' <<<"$answer"; then
  echo "advisory data unreachable from this machine: $OSV_URL answered without advisory data; run \`make audit\` where $OSV_URL is reachable" >&2
  exit 2
fi

# 5. The audit. --strict: a package that cannot be looked up fails the run instead of being skipped.
echo "pip-audit $PIP_AUDIT_VERSION: $(wc -l < "$requirements") pinned packages against $OSV_URL, $(( ${#ignore[@]} / 2 )) accepted advisories ($KNOWN)"
"$AUDIT_VENV/bin/pip-audit" --requirement "$requirements" --no-deps --disable-pip --strict \
  --vulnerability-service osv --osv-url "$OSV_URL" --timeout "$AUDIT_TIMEOUT" \
  --progress-spinner off --desc on --aliases on "${ignore[@]}"
