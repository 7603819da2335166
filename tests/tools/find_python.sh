#!/usr/bin/env bash
# Print the path of a Python interpreter of the given version (e.g. 3.11) that really runs,
# or nothing. pyenv shims for versions that are not selected exist but fail, so every
# candidate is executed and its own sys.executable is printed (a real path, never a shim).
set -u
want=${1:?usage: find_python.sh MAJOR.MINOR}
candidates=()
while IFS= read -r c; do candidates+=("$c"); done < <(type -ap "python$want" 2>/dev/null)
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for c in "$root"/versions/"$want".*/bin/python"$want" /usr/local/bin/python"$want" /usr/bin/python"$want"; do
  candidates+=("$c")
done
for c in "${candidates[@]}"; do
  [ -x "$c" ] || continue
  out=$("$c" -c 'import sys; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], sys.executable))' 2>/dev/null) || continue
  if [ "${out%% *}" = "$want" ] && [ -x "${out#* }" ]; then
    echo "${out#* }"
    exit 0
  fi
done
exit 0
