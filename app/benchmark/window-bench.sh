#!/usr/bin/env bash
# The window target of issue 8: CPU of the GoLive window, live with its
# preview, against `golive live` headless on the same profile (test source,
# 720p30 2500k, 3 RTMP destinations on a local nginx-rtmp + 1 RTP), under
# Xvfb with Mesa's software GL, alternating PAIRS times.
# Usage: bash app/benchmark/window-bench.sh [BIN] [PAIRS] [SECONDS] [SHOT.png]
# Columns: whole-process CPU (start-up included, from time(1)), then the
# CPU of the steady live part only (from 3 s after going live to 1 s
# before the end, read in /proc/PID/stat), in cores, and its ratio.
# WINDOW_PERF=FILE records `perf record -g` (499 Hz) of the first window
# run; that pair's figures then include perf's own cost.
set -euo pipefail
bin=$(realpath "${1:-bin/golive}")
pairs=${2:-3}
secs=${3:-12}
shot=${4:-}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/nginx.conf" <<CONF
daemon off; master_process off; $( [ "$(id -u)" = 0 ] && echo "user root;" )
pid $dir/nginx.pid; error_log $dir/error.log warn;
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:$port; chunk_size 4096; application live { live on; record off; } } }
CONF
nginx -p "$dir/" -c "$dir/nginx.conf" &
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done

export GOLIVE_CONFIG_DIR="$dir/config" GOLIVE_KEYRING=file LANG=en_US.UTF-8
"$bin" profile add bench source=test audio=test size=1280x720 fps=30 video_bitrate=2500k >/dev/null
for k in a b c; do "$bin" profile add-dest bench --rtmp "rtmp://127.0.0.1:$port/live/$k" --name "rtmp $k" >/dev/null 2>&1; done
"$bin" profile add-dest bench --rtp 127.0.0.1:15004 --name rtp >/dev/null
"$bin" profile select bench >/dev/null

cpu() { awk '{print $1 + $2}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
tck=$(getconf CLK_TCK)
# steady PARENT FROM TO: cores used by PARENT's child (the golive under
# time(1), or perf) between FROM and TO seconds after its start.
steady() {
  local pid="" a b
  for _ in $(seq 50); do pid=$(pgrep -P "$1" -x golive || pgrep -P "$1" | head -1) && [ -n "$pid" ] && break; sleep 0.02; done
  [ -n "$pid" ] || { echo "nan"; return; }
  sleep "$2"; a=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  sleep $(($3 - $2)); b=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  awk -v a="$a" -v b="$b" -v t="$tck" -v d=$(($3 - $2)) 'BEGIN{printf "%.3f", (b - a) / t / d}'
}
# The window goes live 1 s after it starts; its steady part is measured
# from 4 s to SECONDS, the headless one (live at once) from 3 s to SECONDS-1.
echo "pair window_cpu_s headless_cpu_s ratio window_rss_kb headless_rss_kb window_live_cores headless_live_cores live_ratio"
for i in $(seq "$pairs"); do
  perf=()
  if [ "$i" = 1 ] && [ -n "${WINDOW_PERF:-}" ]; then perf=(perf record -q -F 499 -g -o "$WINDOW_PERF" --); fi
  # The window goes live after 1 s and quits after SECONDS more.
  DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 GOLIVE_UI_GO_LIVE_AFTER=1s GOLIVE_UI_QUIT_AFTER=$((secs + 1))s \
    /usr/bin/time -o "$dir/w.time" -f "%U %S %M" "${perf[@]}" "$bin" >"$dir/w.log" 2>&1 &
  app=$!
  if [ ${#perf[@]} -gt 0 ]; then sleep 0.5; app_parent=$(pgrep -P "$app" | head -1); else app_parent=$app; fi
  steady "$app_parent" 4 "$secs" >"$dir/w.steady" &
  meter=$!
  if [ "$i" = 1 ] && [ -n "$shot" ]; then sleep $((secs / 2 + 1)); import -display "$display" -window root "$shot"; fi
  wait "$app"
  wait "$meter"
  /usr/bin/time -o "$dir/h.time" -f "%U %S %M" "$bin" live --profile bench --duration "${secs}s" --stats none >"$dir/h.log" 2>&1 &
  app=$!
  steady "$app" 3 $((secs - 1)) >"$dir/h.steady"
  wait "$app"
  w=$(cpu "$dir/w.time"); h=$(cpu "$dir/h.time"); ws=$(cat "$dir/w.steady"); hs=$(cat "$dir/h.steady")
  echo "$i $w $h $(ratio "$w" "$h") $(awk '{print $3}' "$dir/w.time") $(awk '{print $3}' "$dir/h.time") $ws $hs $(ratio "$ws" "$hs")"
done
