"""``daftar-server sms …``: the citizens' SMS channel (sync.server.sms)."""

from __future__ import annotations

import argparse

from sync.server.cli_support import CliError, check_schema, opened_engine
from sync.server.sms.settings import PROVIDERS, SettingsError, SmsSettings


def add_provider_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sms-provider", choices=PROVIDERS, default=None,
                        help="the SMS gateway (env DAFTAR_SMS_PROVIDER; default local: "
                        "messages are written to DAFTAR_SMS_DIR)")


def sms_settings(args: argparse.Namespace) -> SmsSettings:
    try:
        return SmsSettings.from_env(getattr(args, "sms_provider", None))
    except SettingsError as exc:
        raise CliError(str(exc)) from None


def add_sms_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sms = commands.add_parser("sms", help="the citizens' SMS channel")
    actions = sms.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser(
        "send-pending", help="send the SMS waiting in the outbox (for a scheduler); "
        "prints what was sent, failed and left to retry")
    add_provider_option(send)
    send.set_defaults(handler=_send_pending)


def _send_pending(args: argparse.Namespace) -> int:
    from sync.server import db
    from sync.server.sms.outbox import Sender
    from sync.server.sms.provider import make_provider

    settings = sms_settings(args)
    with opened_engine(args) as engine:
        check_schema(engine)
        sender = Sender(db.session_factory(engine), make_provider(settings), settings)
        result = sender.drain()
    print(result.summary())
    if result.errors:
        raise CliError(f"{len(result.errors)} messages could not be recorded (they are sent "
                       f"again after their lease): {result.errors[0]}")
    return 0
