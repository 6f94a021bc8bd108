"""The parsers of ``daftar-server office …`` and ``daftar-server apikey …``, apart
from their commands (:mod:`sync.server.cli_offices`, :mod:`sync.server.cli_apikeys`),
which are imported only when one of them runs: ``daftar-server --help`` loads
neither SQLAlchemy nor the centre's models."""

from __future__ import annotations

import argparse

from sync.server.cli_support import Lazy


def add_office_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``office add | code | revoke | list | refusals``."""
    office = commands.add_parser("office", help="district offices and their enrolment")
    actions = office.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an office; prints its one-time enrolment code")
    add.add_argument("name", metavar="NAME")
    scope = add.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--districts", metavar="CODE,...", help="the district codes the office serves"
    )
    scope.add_argument("--all", action="store_true", help="every district (the centre's own)")
    add.set_defaults(handler=Lazy("sync.server.cli_offices:_office_add"))

    code = actions.add_parser(
        "code", help="a new one-time enrolment code for an office (the old one stops working)"
    )
    code.add_argument("name", metavar="NAME")
    code.set_defaults(handler=Lazy("sync.server.cli_offices:_office_code"))

    revoke = actions.add_parser(
        "revoke", help="revoke every device of an office and its unused enrolment code"
    )
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=Lazy("sync.server.cli_offices:_office_revoke"))

    actions.add_parser("list", help="one line per office").set_defaults(handler=Lazy("sync.server.cli_offices:_office_list"))
    actions.add_parser(
        "refusals", help="pushed changes the centre refused, per office and code (a run of "
        "unknown_actor or role_not_allowed is worth a visit)"
    ).set_defaults(handler=Lazy("sync.server.cli_offices:_office_refusals"))


def add_apikey_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``apikey add | revoke | list``."""
    apikey = commands.add_parser("apikey", help="Open311 clients and their API keys")
    actions = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add an Open311 client; prints its API key alone on the last line")
    add.add_argument("name", metavar="NAME", help="who uses the key (e.g. website)")
    add.set_defaults(handler=Lazy("sync.server.cli_apikeys:_add"))
    revoke = actions.add_parser("revoke", help="stop a client's key at once")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=Lazy("sync.server.cli_apikeys:_revoke"))
    actions.add_parser("list", help="one line per client").set_defaults(handler=Lazy("sync.server.cli_apikeys:_list"))
