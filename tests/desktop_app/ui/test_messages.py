"""Field problems read in the user's language, whatever field they are about."""

from __future__ import annotations

from desktop_app.errors import FieldProblem
from desktop_app.ui.messages import problem_text
from tests.desktop_app.ui.forms_support import persian  # noqa: F401, F811 (a fixture)


def test_a_text_over_the_rule_books_limit_is_named_in_persian(persian: None) -> None:  # noqa: F811
    problem = FieldProblem("address", "too_long", "at most 1000 characters (this has 1200)")
    assert problem_text(problem) == "این متن بیش از اندازه بلند است: کوتاه‌ترش کنید."


def test_a_problem_new_to_the_table_falls_back_to_the_services_words(persian: None) -> None:  # noqa: F811
    problem = FieldProblem("address", "no_such_code", "the service's own words")
    assert problem_text(problem) == "the service's own words"
