#!/usr/bin/env bash
# Issue 15's whole-chain figures for two builds, in alternating runs (docs/bench.md).
#
#   scripts/perf-runs.sh [-n N] [-d SECONDS] [-o OUTDIR] [-k KINDS] BUILD_A BUILD_B
#
# BUILD_A and BUILD_B are checkouts with node_modules and a fresh `npm run build` (bin runs dist when it
# is newer than the sources). For each of N rounds, A then B (B then A on odd rounds, so neither always
# runs second), one run of each kind in KINDS (comma-separated, default kv,consent):
#   - kv:      kv --batch 50 flat out                          -> tx/s, validator CPU us/tx, peak RSS
#   - consent: consent-mix flat out (--pregen-rate 2000)        -> tx/s, validator CPU us/tx, peak RSS
#   - etcd:    kv --batch 50 flat out with --baseline etcd      -> the same-run ratio against etcd
#   - rate:    kv --batch 50 at a fixed --rate (RATE, default 1500) -> p99 and peak RSS at that rate
# It prints one line per run and, per kind, the medians of each build and their ratio B/A.
# A kv or rate run takes about 40 s, a consent-mix run about 90 s (setup included).
set -euo pipefail

n=3
dur=15
out=/tmp/perf-runs
kinds=kv,consent
rate=${RATE:-1500}
while getopts 'n:d:o:k:' opt; do
  case $opt in
    n) n=$OPTARG ;;
    d) dur=$OPTARG ;;
    o) out=$OPTARG ;;
    k) kinds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-n N] [-d SECONDS] [-o OUTDIR] [-k KINDS] BUILD_A BUILD_B" >&2; exit 2; }
a=$(cd "$1" && pwd)
b=$(cd "$2" && pwd)
mkdir -p "$out"

args_for() { # kind -> bench arguments
  case $1 in
    kv) echo "--workload kv --batch 50 --duration $dur --drain 5s" ;;
    consent) echo "--workload consent-mix --duration $dur --pregen-rate 2000 --drain 5s" ;;
    etcd) echo "--workload kv --batch 50 --duration $dur --drain 5s --baseline etcd" ;;
    rate) echo "--workload kv --batch 50 --rate $rate --duration $dur --drain 5s" ;;
    *) echo "unknown kind $1" >&2; exit 2 ;;
  esac
}

run() { # dir label kind round
  local dir=$1 label=$2 kind=$3 i=$4 json="$out/$2-$3-$4.json"
  # shellcheck disable=SC2046
  (cd "$dir" && node bin/ehrchain.mjs bench $(args_for "$kind") --no-progress --json "$json" >"$out/$2-$3-$4.log" 2>&1) ||
    echo "  ($label $kind $i: bench exited non-zero, see $out/$label-$kind-$i.log)" >&2
  [ -f "$json" ] || return 0
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = r.validators ?? {};
    // builds before issue 15 report no cpu_us_per_tx: derive it from CPU % and tx/s
    const cpu = [...(r.nodes ?? [])].map((x) => x.cpu_us_per_tx ?? ((x.cpu_pct / 100) * 1e6) / r.committed_tps)
      .sort((p, q) => p - q);
    const vs = r.vs_baseline ? r.vs_baseline.committed_tps.toFixed(3) : "-";
    console.log([process.argv[2], process.argv[3], process.argv[4], Math.round(r.committed_tps),
      Math.round(cpu[Math.floor((cpu.length - 1) / 2)] ?? NaN), Math.round(v.rss_max_mb ?? Math.max(...(r.nodes ?? []).map((x) => x.rss_max_mb))),
      Math.round(r.latency_ms?.p99 ?? NaN), vs, r.loadavg?.start ?? "-", r.loadavg?.end ?? "-"].join("\t"));
  ' "$json" "$label" "$kind" "$i" | tee -a "$out/runs.tsv"
}

: >"$out/runs.tsv"
echo -e "build\tkind\tround\ttx/s\tcpu_us_per_tx(median node)\trss_max_mb\tp99_ms\tvs_etcd_tps\tload_start\tload_end"
IFS=, read -r -a kindlist <<<"$kinds"
for ((i = 0; i < n; i++)); do
  if ((i % 2 == 0)); then order=("$a:A" "$b:B"); else order=("$b:B" "$a:A"); fi
  for kind in "${kindlist[@]}"; do
    for e in "${order[@]}"; do run "${e%:*}" "${e##*:}" "$kind" "$i"; done
  done
done

node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
  const med = (xs) => { const s = [...xs].sort((p, q) => p - q); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
  const names = ["tx/s", "cpu us/tx", "rss MB", "p99 ms"];
  for (const kind of [...new Set(rows.map((r) => r[1]))]) {
    const m = {};
    for (const label of ["A", "B"]) {
      const rs = rows.filter((r) => r[0] === label && r[1] === kind);
      m[label] = names.map((_, j) => med(rs.map((r) => Number(r[3 + j]))));
      console.log(`${kind} ${label} (${rs.length} runs): ` + names.map((x, j) => `${x} ${m[label][j]}`).join(", "));
    }
    console.log(`${kind} B/A medians: ` + names.map((x, j) => `${x} ${(m.B[j] / m.A[j]).toFixed(2)}`).join(", "));
  }
' "$out/runs.tsv"
