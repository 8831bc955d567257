#!/usr/bin/env bash
# Installs the system packages the local stack needs, from Debian's packages, only when missing.
set -euo pipefail

say() { printf '[neibao] %s\n' "$*"; }
want=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql postgresql-contrib)
command -v java >/dev/null 2>&1 || want+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || want+=(maven)
command -v runuser >/dev/null 2>&1 || want+=(util-linux)
python3.11 -c 'import venv, ensurepip' >/dev/null 2>&1 || want+=(python3.11-venv)
# The console: Node.js and npm build it; Debian's Chromium runs its end-to-end test (never a downloaded
# browser), with a CJK font so its pages and screenshots show Chinese.
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || want+=(fonts-wqy-microhei)

if [ ${#want[@]} -eq 0 ]; then
  say "system packages: all present (PostgreSQL $(ls /usr/lib/postgresql | sort -n | tail -1), $(java -version 2>&1 | head -1), $(mvn -B -v 2>/dev/null | head -1))"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to install: ${want[*]}"; exit 1; }
  sudo="sudo"
fi
say "installing from Debian's packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${want[@]}"
say "system packages installed"
