#!/usr/bin/env bash
# The window target of issue 8: CPU of the GoLive window, live with its
# preview, against `golive live` headless on the same profile (test source,
# 720p30 2500k, 3 RTMP destinations on a local nginx-rtmp + 1 RTP), under
# Xvfb with Mesa's software GL, alternating PAIRS times.
# Usage: bash app/benchmark/window-bench.sh [BIN] [PAIRS] [SECONDS] [SHOT.png]
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
echo "pair window_cpu_s headless_cpu_s ratio window_rss_kb headless_rss_kb"
for i in $(seq "$pairs"); do
  # The window goes live after 1 s and quits after SECONDS more.
  DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 GOLIVE_UI_GO_LIVE_AFTER=1s GOLIVE_UI_QUIT_AFTER=$((secs + 1))s \
    /usr/bin/time -o "$dir/w.time" -f "%U %S %M" "$bin" >"$dir/w.log" 2>&1 &
  app=$!
  if [ "$i" = 1 ] && [ -n "$shot" ]; then sleep $((secs / 2 + 1)); import -display "$display" -window root "$shot"; fi
  wait "$app"
  /usr/bin/time -o "$dir/h.time" -f "%U %S %M" "$bin" live --profile bench --duration "${secs}s" --stats none >"$dir/h.log" 2>&1
  w=$(cpu "$dir/w.time"); h=$(cpu "$dir/h.time")
  echo "$i $w $h $(awk -v w="$w" -v h="$h" 'BEGIN{printf "%.2f", w/h}') $(awk '{print $3}' "$dir/w.time") $(awk '{print $3}' "$dir/h.time")"
done
