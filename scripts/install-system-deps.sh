#!/usr/bin/env bash
# Installs the Debian packages hsgclinic needs, only those missing (fast when all are there).
#   runtime: what the app needs to render PDFs (Pango via WeasyPrint, Chinese fonts)
#   test:    runtime + Chromium (browser tests), dcmtk (findscu), Orthanc and Odil (DICOM peers), poppler-utils (pdftoppm/pdftotext), PostgreSQL,
#            nodejs (the npm peers in tests/peers/)
set -euo pipefail
kind=${1:-runtime}
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
if [ "$kind" = test ]; then
  pkgs+=(chromium dcmtk poppler-utils postgresql postgresql-contrib nodejs orthanc python3-odil)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
