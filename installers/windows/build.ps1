# Build the Windows installer: PyInstaller one-folder app, then Inno Setup.
# Needs Python 3.11+ (py launcher) and Inno Setup 6 (ISCC.exe on PATH or in its
# default folder).  Output: dist\daftar\ and dist\daftar-<version>-windows-setup.exe
$ErrorActionPreference = "Stop"
$root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $root
py scripts\dev.py setup
.\.venv\Scripts\pip install -q -e ".[build]"
.\.venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installers\daftar.spec
$env:DAFTAR_VERSION = (.\.venv\Scripts\python -c "from importlib.metadata import version; print(version('daftar'))")
$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc installers\windows\daftar.iss
