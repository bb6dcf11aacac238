#!/usr/bin/env bash
# Idle CPU of resou over a window with nothing changing on screen.
# Usage: scripts/idle-cpu.sh [SECONDS] [-- extra resou args]
# Starts `resou --demo` in a detached tmux pane (120x35), waits for the board, pauses polling
# with `p` (so no data changes), then reads utime+stime from /proc over the window.
# A second run leaves polling live but with the demo clock slowed so the lists never change
# (only the 1 Hz countdown redraws).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
bin=target/release/resou
[ -x "$bin" ] || cargo build --release --quiet
tick=$(getconf CLK_TCK)
measure() {   # $1 = label, $2 = keys to send after start, rest = args
  local label=$1 keys=$2; shift 2
  local s=idlecpu$$ dir; dir=$(mktemp -d)
  tmux new-session -d -s $s -x 120 -y 35 "XDG_STATE_HOME=$dir XDG_CONFIG_HOME=$dir $bin $*"
  sleep 4
  [ -n "$keys" ] && tmux send-keys -t $s $keys && sleep 1
  local pid; pid=$(pgrep -n -f "$bin $*")
  local a b; a=$(awk '{print $14+$15}' /proc/$pid/stat)
  sleep "$secs"
  b=$(awk '{print $14+$15}' /proc/$pid/stat)
  tmux kill-session -t $s; rm -rf "$dir"
  awk -v a="$a" -v b="$b" -v t="$tick" -v s="$secs" -v l="$label" \
    'BEGIN { printf "%-40s %6.3f %% of one core (%d ticks in %d s)\n", l, (b-a)/t/s*100, b-a, s }'
}
measure "demo, polling paused (p)" "p" --demo
measure "demo, live, lists static (1h/snapshot)" "" --demo --demo-speed 3600 --interval 3600
