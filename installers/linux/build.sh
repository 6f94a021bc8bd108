#!/usr/bin/env bash
# Build the Linux one-folder app and its tarball:
#   dist/daftar/                          the app (run dist/daftar/daftar-desk)
#   dist/daftar-<version>-linux-<arch>.tar.gz
# The tarball unpacks to daftar/ with install.sh, which puts a launcher and the
# .desktop entry in the user's ~/.local (no root needed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
python3 scripts/dev.py setup
.venv/bin/pip install -q --disable-pip-version-check -e ".[build]"
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installers/daftar.spec
cp installers/linux/daftar.desktop installers/linux/install.sh resources/icons/daftar.svg dist/daftar/
version=$(.venv/bin/python -c "from importlib.metadata import version; print(version('daftar'))")
tarball="dist/daftar-${version}-linux-$(uname -m).tar.gz"
tar -C dist -czf "$tarball" daftar
end=$(date +%s)
echo "built dist/daftar ($(du -sh dist/daftar | cut -f1)) and $tarball ($(du -h "$tarball" | cut -f1)) in $((end - start)) s"
