#!/bin/sh
# a tiny stand-in for a dev server: logs a health line every 0.2 s, and its own death
log="$1"
n=0
host=$(hostname)
stamp() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
trap 'echo "$(stamp) $host devserver[$$]: caught SIGHUP (terminal or tmux server gone), shutting down" >> "$log"; exit 129' HUP
trap 'echo "$(stamp) $host devserver[$$]: caught SIGTERM, shutting down" >> "$log"; exit 143' TERM
echo "$(stamp) $host devserver[$$]: listening on 127.0.0.1:8000" >> "$log"
while :; do
  n=$((n + 1))
  echo "$(stamp) $host devserver[$$]: GET /health 200 ($n requests served)" >> "$log"
  sleep 0.2
done
