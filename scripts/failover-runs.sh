#!/usr/bin/env bash
# Failover and needless-election runs of two builds, alternating (issue 18, docs/raft.md).
#
#   scripts/failover-runs.sh [-n N] [-d SECONDS] [-o OUTDIR] BUILD_A BUILD_B
#
# BUILD_A and BUILD_B are checkouts with node_modules (e.g. /tmp/fo-base and this worktree). For each
# of N rounds, A then B (B then A on odd rounds, so neither always runs second):
#   - kill:     kv --batch 50 flat out, SIGKILL the leader at 8 s  -> new_leader_ms (polled) and
#               new_leader_node_ms (by the survivors' own leaderSince stamps; '-' on builds without it)
#   - flat-out: kv --batch 50 flat out, no fault                  -> elections (term changes)
# It prints one line per run and, per build, both medians and the runs with a needless election: a
# flat-out run with any term change, or a kill run with more than 2 (a kill moves the survivors one
# term, or two when the rank-0 survivor's log was behind and the other campaigned instead of it,
# docs/raft.md; a split vote costs an election timeout on top, so more than 2, or 2 with
# new_leader_ms over 1,500, is flagged 'split?').
# Each run takes about a minute on a loaded 2-core machine; N=10 is about 40 minutes.
set -euo pipefail

n=5
dur=20
out=/tmp/failover-runs
while getopts 'n:d:o:' opt; do
  case $opt in
    n) n=$OPTARG ;;
    d) dur=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-n N] [-d SECONDS] [-o OUTDIR] BUILD_A BUILD_B" >&2; exit 2; }
a=$(cd "$1" && pwd)
b=$(cd "$2" && pwd)
mkdir -p "$out"
common=(--workload kv --batch 50 --duration "$dur" --drain 3s --no-progress)

run() { # build label kind round
  local dir=$1 label=$2 kind=$3 i=$4 json="$out/$2-$3-$4.json"
  local extra=()
  [ "$kind" = kill ] && extra=(--fault kill-leader@8s)
  (cd "$dir" && node bin/ehrchain.mjs bench "${common[@]}" "${extra[@]}" --json "$json" >/dev/null 2>&1) ||
    echo "  ($label $kind $i: bench exited non-zero)" >&2
  [ -f "$json" ] || return 0
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = (r.faults ?? [])[0];
    // a kill run has one election by design: count the other nodes term increases beyond it
    const terms = Math.max(0, ...(r.nodes ?? []).map((x) => x.term_changes ?? 0));
    const kill = process.argv[3] === "kill";
    const split = kill && (terms > 2 || (terms === 2 && (f?.new_leader_ms ?? 0) > 1500)) ? "split?" : "";
    console.log([process.argv[2], process.argv[3], process.argv[4], f?.new_leader_ms ?? "-",
      f?.new_leader_node_ms ?? "-", terms, Math.round(r.committed_tps), r.loadavg?.start ?? "-", split].join("\t"));
  ' "$json" "$label" "$kind" "$i" | tee -a "$out/runs.tsv"
}

: >"$out/runs.tsv"
echo -e "build\tkind\tround\tnew_leader_ms\tnew_leader_node_ms\tmax_term_changes\ttx/s\tloadavg\tnote"
for ((i = 0; i < n; i++)); do
  if ((i % 2 == 0)); then order=("$a:A" "$b:B"); else order=("$b:B" "$a:A"); fi
  for kind in kill flat; do
    for e in "${order[@]}"; do run "${e%:*}" "${e##*:}" "$kind" "$i"; done
  done
done

node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
  const med = (xs) => { const s = [...xs].sort((p, q) => p - q); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
  const out = {};
  for (const label of ["A", "B"]) {
    const kills = rows.filter((r) => r[0] === label && r[1] === "kill");
    const kill = kills.filter((r) => r[3] !== "-").map((r) => Number(r[3]));
    const node = kills.filter((r) => r[4] !== "-").map((r) => Number(r[4]));
    const flat = rows.filter((r) => r[0] === label && r[1] === "flat");
    out[label] = med(kill);
    console.log(`${label}: median new_leader_ms ${med(kill)} over ${kill.length} kills [${kill.join(", ")}]; ` +
      `median new_leader_node_ms ${node.length ? med(node) : "-"} [${node.join(", ")}]; ` +
      `flat-out runs with an election: ${flat.filter((r) => Number(r[5]) > 0).length} of ${flat.length}; ` +
      `kill runs flagged split?: ${kills.filter((r) => r[8] === "split?").length} of ${kills.length}`);
  }
  console.log(`B/A median new_leader_ms: ${(out.B / out.A).toFixed(2)}`);
' "$out/runs.tsv"
