#!/usr/bin/env bash
# Write syscalls per block on each validator of a fresh bench network (docs/bench.md, "per-block
# costs"): socket writes to peers and to HTTP clients, LevelDB log writes (chain store, actor-event
# index), fdatasync, and eventfd wake-ups, counted by strace over 6 s of `kv --batch 50 --rate RATE`.
#
#   flock /tmp/bench.lock test/perf/syscalls-per-block.sh BUILD RATE [OUTDIR]
#
# BUILD is a checkout with node_modules and a fresh `npm run build`. strace slows the validators a
# little; blocks per window are estimated from the run's block count (16 s of load). Needs strace.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BUILD RATE [OUTDIR]" >&2; exit 2; }
build=$(cd "$1" && pwd)
rate=$2
out=${3:-/tmp/syscalls-$rate}
net=$out/net
rm -rf "$out"
mkdir -p "$out"

cd "$build"
node bin/ehrchain.mjs bench --workload kv --batch 50 --rate "$rate" --duration 16 --drain 2s --no-progress \
  --dir "$net" --json "$out/run.json" >"$out/bench.log" 2>&1 &
bench=$!
sleep 9
for p in $(pgrep -f -- "--home $net/node"); do
  timeout 6 strace -f -yy -qq -e trace=write,writev,pwrite64,fdatasync,fsync -p "$p" -o "$out/strace-$p.txt" \
    >/dev/null 2>&1 &
done
wait "$bench" || true
wait

ports=$(for c in "$net"/node*/config.json; do
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).p2p.listen[0].split("/").pop())' "$c"
done | paste -sd'|')
blocks=$(grep -o 'blocks [0-9]*' "$out/bench.log" | head -1 | awk '{print $2}')
window=$((blocks * 6 / 16))
echo "rate $rate: $blocks blocks in the run, ~$window in the 6 s window"
for f in "$out"/strace-*.txt; do
  awk -v P="$ports" -v B="$window" '
    /resumed>/ { next }
    /fdatasync|fsync/ { fs++; next }
    /TCP:\[/ { if (match($0, "127.0.0.1:(" P ")[^0-9]")) p2p++; else http++; next }
    /eventfd|anon_inode/ { ev++; next }
    /\.log>/ { if ($0 ~ /notify/) nlog++; else clog++; next }
    END {
      printf "%s per block: peer socket writes %.1f, http socket writes %.1f, chain log writes %.1f, notify log writes %.2f, fdatasync %.1f, eventfd %.1f\n",
        FILENAME, p2p / B, http / B, clog / B, nlog / B, fs / B, ev / B
    }
  ' "$f"
done
