; Inno Setup recipe for the Windows office app.  Build with installers\windows\build.ps1,
; which runs PyInstaller first (dist\daftar) and then ISCC on this file.
;
; - Start-menu entry for the window (daftar-desk.exe); daftar.exe stays for the
;   command line (scheduled `daftar sync`, reports).
; - Upgrade in place: the AppId never changes, so a newer setup replaces the
;   program files of the older one; the app migrates the office database itself on
;   first start, after copying it aside.
; - The uninstaller removes only the program.  The office's data lives in
;   %LOCALAPPDATA%\Daftar (platformdirs), which this script never touches.

#define AppVersion GetEnv("DAFTAR_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F0E3C52-1B37-4D1A-9F37-137DAF7A0001}
AppName=Daftar
AppVerName=Daftar {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=Daftar
DefaultDirName={autopf}\Daftar
DefaultGroupName=Daftar
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=daftar-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
CloseApplications=yes
UninstallDisplayIcon={app}\daftar-desk.exe

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Files]
; Replace the whole program folder on upgrade; user data is elsewhere.
Source: "..\..\dist\daftar\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Daftar"; Filename: "{app}\daftar-desk.exe"
Name: "{group}\Daftar demo"; Filename: "{app}\daftar-desk.exe"; Parameters: "demo"
Name: "{group}\Uninstall Daftar"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\daftar-desk.exe"; Description: "Open Daftar"; Flags: nowait postinstall skipifsilent
