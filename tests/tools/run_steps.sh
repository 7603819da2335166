#!/usr/bin/env bash
# Run make targets one after the other, stop at the first failure, print a timed summary.
# Usage: run_steps.sh MAKE TARGET...
set -u
make_cmd=${1:?usage: run_steps.sh MAKE TARGET...}
shift
names=()
results=()
status=0
started_all=$(date +%s)
for step in "$@"; do
  echo
  echo "===== make $step ====="
  started=$(date +%s)
  if "$make_cmd" --no-print-directory "$step"; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  names+=("$step")
  results+=("$result ($(( $(date +%s) - started ))s)")
  [ "$status" -eq 0 ] || break
done
echo
echo "===== summary ====="
for i in "${!names[@]}"; do
  printf '  %-16s %s\n' "${names[$i]}" "${results[$i]}"
done
for step in "$@"; do
  case " ${names[*]} " in *" $step "*) ;; *) printf '  %-16s %s\n' "$step" "not run" ;; esac
done
total=$(( $(date +%s) - started_all ))
if [ "$status" -eq 0 ]; then
  echo "make test: all steps passed in ${total}s"
else
  echo "make test: FAILED at step '${names[${#names[@]}-1]}' after ${total}s"
fi
exit "$status"
