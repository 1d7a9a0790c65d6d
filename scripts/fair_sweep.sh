#!/usr/bin/env bash
# Run fair_arms.py plans one after another on one thread, e.g. two queues side by side on a 2-core machine:
#   (setsid nohup scripts/fair_sweep.sh A synthetic:ed synthetic:ed_shared synthetic:prefix >/dev/null 2>&1 &)
#   (setsid nohup scripts/fair_sweep.sh B synthetic:do synthetic:do_full >/dev/null 2>&1 &)
#   (setsid nohup scripts/fair_sweep.sh C ladder:synthetic:ed ladder:synthetic:do >/dev/null 2>&1 &)   # claim D4
# Progress goes to checkpoints/fair-LABEL.log; every finished run is a line in results/fair_runs/DATA-ARM.jsonl
# (tracked: commit it as the sweep goes, and a later sitting resumes where this one stopped).
set -u
cd "$(dirname "$0")/.."
label="$1"; shift
mkdir -p checkpoints
for job in "$@"; do
  command=run
  case "$job" in ladder:*) command=ladder; job="${job#ladder:}";; esac
  data="${job%%:*}"; arm="${job#*:}"
  echo "[$(date -u +%FT%TZ)] start $command $data/$arm" >> "checkpoints/fair-$label.log"
  .venv/bin/python scripts/fair_arms.py "$command" --data "$data" --arm "$arm" --threads 1 >> "checkpoints/fair-$label.log" 2>&1
  echo "[$(date -u +%FT%TZ)] end $command $data/$arm rc=$?" >> "checkpoints/fair-$label.log"
done
