"""``daftar demo``: a newcomer's first run, with nothing to install.

It builds, in one data folder (``--data-dir``, else the user's ``Daftar-demo``
folder, never the real office's):

* ``centre.sqlite3`` — a local 137 centre on the embedded SQLite default, filled
  with ``daftar-server demo-data`` (six months of Kashan-like requests);
* ``office/`` — this app's office database, enrolled to that centre with a
  one-time code exactly as a real office would be, then synced;
* three demo users (manager, clerk, supervisor), so every role can be tried; they
  are sent to the centre at once, which takes changes only from users it knows.

The centre is served by uvicorn on loopback in a background thread for as long as
the window is open, so the app's own background sync has something to talk to.
Running ``daftar demo`` again reuses the folder.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import sqlalchemy as sa

from desktop_app.services import sync_service
from desktop_app.services.users import actor_for, create_user, has_users
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync.server import cli as server_cli
from sync.server import db as centre_db
from sync.server.models import Office, ServiceRequest

OFFICE_NAME = "دفتر نمایشی ۱۳۷ کاشان"
PREFERRED_PORT = 8137

#: (user name, password, role, display name) — shown on the console and in the README.
DEMO_USERS = (
    ("demo", "demo1234", "manager", "مدیر نمایشی"),
    ("clerk", "clerk1234", "clerk", "کارشناس نمایشی"),
    ("super", "super1234", "supervisor", "سرپرست نمایشی"),
    # The demo's office covers every district, so it is the 137 centre's desk too:
    # its operator takes calls and works the verification queue.
    ("operator", "operator1234", "centre", "اپراتور نمایشی ۱۳۷"),
)


class DemoError(RuntimeError):
    pass


def demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("Daftar-demo", appauthor=False))


def _server_cli(url: str, *argv: str) -> str:
    """Run a ``daftar-server`` command in-process; its standard output, or DemoError."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = server_cli.main(["--database-url", url, *argv])
    if code != 0:
        raise DemoError(err.getvalue().strip() or f"daftar-server {argv[0]} failed")
    return out.getvalue()


def prepare_centre(url: str, requests: int) -> str | None:
    """Migrate and fill the demo centre once.  Returns a fresh enrolment code for
    the demo office (creating the office the first time)."""
    _server_cli(url, "migrate")
    engine = centre_db.open_engine(url)
    try:
        with engine.connect() as conn:
            has_requests = conn.execute(sa.select(ServiceRequest.id).limit(1)).first() is not None
            has_office = conn.execute(
                sa.select(Office.id).where(Office.name == OFFICE_NAME)).first() is not None
    finally:
        engine.dispose()
    if not has_requests:
        print(f"filling the demo centre with {requests} requests …", flush=True)
        _server_cli(url, "demo-data", "--requests", str(requests))
    if has_office:
        output = _server_cli(url, "office", "code", OFFICE_NAME)
    else:
        output = _server_cli(url, "office", "add", OFFICE_NAME, "--all")
    return output.strip().splitlines()[-1]


@dataclass
class LocalCentre:
    """The demo centre, served on loopback from a background thread."""

    url: str
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True  # type: ignore[attr-defined]
        self._thread.join(timeout=10)


def _free_port() -> int:
    for port in (PREFERRED_PORT, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise DemoError("no free port on 127.0.0.1 for the demo centre")


def _send_sms(app: object, url: str) -> None:
    """The demo centre sends its citizens' SMS as ``serve`` does, with the local
    provider: each message lands in ``sms/`` beside the demo centre's database (and
    in the request's history as a sent SMS)."""
    from sync.server.sms.outbox import Sender, SenderThread
    from sync.server.sms.provider import LocalProvider
    from sync.server.sms.settings import SmsSettings

    database = sa.make_url(url).database
    folder = Path(database).parent / "sms" if database and database != ":memory:" else None
    settings = SmsSettings(folder=folder)
    SenderThread(Sender(app.state.writes, LocalProvider(settings.local_folder()), settings)).start()  # type: ignore[attr-defined]


def start_centre(url: str) -> LocalCentre:
    import uvicorn

    from sync.server.app import create_app

    port = _free_port()
    app = create_app(url)
    _send_sms(app, url)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-centre", daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):  # up to 10 s
        if server.started or not thread.is_alive():
            break
        ready.wait(0.05)
    if not server.started:
        raise DemoError(f"the demo centre did not start on port {port}")
    return LocalCentre(f"http://127.0.0.1:{port}", server, thread)


def _point_at(store: Store, url: str) -> None:
    """The demo centre's port may differ between runs; a real office never does this."""
    with store.sessions.begin() as session:
        session.merge(m.SyncState(key=sync_service.CENTRE_URL, value=url))


def prepare_office(folder: Path, centre: LocalCentre, code: str | None) -> None:
    store = open_store(folder)
    try:
        if sync_service.is_enrolled(store):
            _point_at(store, centre.url)
        else:
            if code is None:
                raise DemoError("the demo centre gave no enrolment code")
            identity = sync_service.enroll(store, centre.url, code)
            print(f"enrolled as {identity.name} (office {identity.number})", flush=True)
        report = sync_service.sync_once(
            store, progress=lambda phase, done, total: print(
                f"\r{phase}: {done}/{total or '?'}", end="", flush=True))
        print(f"\nsynced: {report.pulled} changes received, {report.pushed} sent", flush=True)
        if not has_users(store.sessions):
            _add_demo_users(store)
            # The centre takes a change only from a user it knows: the users go first.
            report = sync_service.sync_once(store)
            print(f"demo users sent to the centre ({report.pushed} changes)", flush=True)
    finally:
        store.close()


def _add_demo_users(store: Store) -> None:
    """The manager first, as at a real first run; the others are the manager's doing."""
    (username, password, role, name), *others = DEMO_USERS
    manager = actor_for(create_user(store.sessions, username=username, display_name=name,
                                    role=role, password=password, created_by="demo"))
    for username, password, role, name in others:
        create_user(store.sessions, username=username, display_name=name, role=role,
                    password=password, by=manager)


def _demo_actor(folder: Path):  # type: ignore[no-untyped-def]
    from desktop_app.app import office_actor

    store = open_store(folder)
    try:
        with store.sessions() as session:
            user = session.scalar(sa.select(m.User).where(m.User.username == DEMO_USERS[0][0]))
        if user is None:
            return None
        return office_actor(store, user)
    finally:
        store.close()


def run_demo(args: argparse.Namespace) -> int:
    folder = Path(args.data_dir) if args.data_dir else demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    office_dir = folder / "office"
    centre_url = f"sqlite:///{folder / 'centre.sqlite3'}"
    code = prepare_centre(centre_url, args.requests)
    centre = start_centre(centre_url)
    try:
        prepare_office(office_dir, centre, code)
        print("demo users: " + ", ".join(f"{u} / {p} ({r})" for u, p, r, _ in DEMO_USERS))
        print(f"demo data folder: {folder}")
        if args.no_window:
            return 0
        from desktop_app.app import application, build_app
        from desktop_app.ui.i18n import saved_language

        qapp = application()
        running = build_app(office_dir, language=args.lang or saved_language(),
                            actor=_demo_actor(office_dir))
        if running is None:
            return 0
        running.window.show()
        try:
            return qapp.exec()
        finally:
            running.close()
    finally:
        centre.stop()
