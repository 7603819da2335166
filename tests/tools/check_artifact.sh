#!/usr/bin/env bash
# Check a built collection artifact: what users and ansible-builder need is in, dev-only is out.
set -euo pipefail
artifact=${1:?usage: check_artifact.sh minerops-whatsminer-X.Y.Z.tar.gz}
listing=$(tar -tzf "$artifact")
fail=0
for must in MANIFEST.json FILES.json README.md LICENSE requirements.txt \
            meta/runtime.yml meta/execution-environment.yml plugins/module_utils/_crypto.py; do
  grep -qx "$must" <<<"$listing" || { echo "missing from $artifact: $must" >&2; fail=1; }
done
# The simulator ships for users who try playbooks without hardware (when it is in the tree).
if [ -d tests/simulator ] && [ -n "$(git ls-files tests/simulator 2>/dev/null)" ]; then
  grep -q '^tests/simulator/' <<<"$listing" || { echo "missing from $artifact: tests/simulator/" >&2; fail=1; }
fi
for mustnot in '^\.venv' '^build/' '^tests/output/' '^\.ci/' '^Makefile$' '^\.git' '\.tar\.gz$' '__pycache__'; do
  if grep -qE "$mustnot" <<<"$listing"; then
    echo "should not be in $artifact: $(grep -E "$mustnot" <<<"$listing" | head -3 | tr '\n' ' ')" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "artifact ok: $artifact ($(wc -l <<<"$listing") entries)"
exit "$fail"
