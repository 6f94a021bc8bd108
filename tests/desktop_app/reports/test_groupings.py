"""One table of report groupings: what the command line offers, what the figures,
the files and the window name, all from the same rows."""

from __future__ import annotations

import pytest

from desktop_app import cli
from desktop_app.reports.figures import GROUPING_LABELS_FA
from desktop_app.reports.groupings import GROUPING, GROUPINGS
from desktop_app.store.reference import Lookup


def test_the_groupings_are_the_design_contracts() -> None:
    assert GROUPINGS == ("region", "district", "neighbourhood", "category", "channel", "crew")


def test_the_command_line_offers_every_grouping_and_only_those() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["report", "summary", "--from", "1405-01-01", "--to", "1405-01-31",
                              "--by", "channel", "--out", "x.csv"])
    assert args.by == "channel"
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "summary", "--from", "1405-01-01", "--to", "1405-01-31",
                           "--by", "weekday", "--out", "x.csv"])


@pytest.mark.parametrize("code", GROUPINGS)
def test_every_grouping_is_named_in_both_languages(code: str) -> None:
    grouping = GROUPING[code]
    assert grouping.code == code
    assert all(grouping.labels) and all(grouping.unset)
    assert GROUPING_LABELS_FA[code] == grouping.label_fa  # the paper's name
    assert grouping.lookup is None or hasattr(Lookup, grouping.lookup)
