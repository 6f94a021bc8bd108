#!/usr/bin/env bash
# Install the unpacked Daftar folder for the current user: a launcher on the PATH
# and a menu entry.  Run from inside the unpacked daftar/ folder.  The office's
# data stays in ~/.local/share/Daftar and is never touched by (re)installing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${XDG_DATA_HOME:-$HOME/.local/share}/daftar-app"
mkdir -p "$target" "$HOME/.local/bin" "${XDG_DATA_HOME:-$HOME/.local/share}/applications" \
         "${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
rm -rf "$target.new" && cp -a "$here" "$target.new" && rm -rf "$target" && mv "$target.new" "$target"
ln -sf "$target/daftar" "$HOME/.local/bin/daftar"
ln -sf "$target/daftar-desk" "$HOME/.local/bin/daftar-desk"
cp "$here/daftar.svg" "${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps/daftar.svg"
sed "s#^Exec=.*#Exec=$target/daftar-desk#" "$here/daftar.desktop" \
  > "${XDG_DATA_HOME:-$HOME/.local/share}/applications/daftar.desktop"
echo "Daftar installed in $target"
