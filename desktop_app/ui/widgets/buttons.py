"""Small builders of buttons the forms share.

One place decides how an action button behaves in a form (named for tests and
style sheets, never the default button), so that no dialog has to remember that
Enter in a text field must not press whatever button last had the focus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton


def action_button(name: str, slot: Callable[[], object]) -> QPushButton:
    """A button named ``name`` (for tests and style sheets) that runs ``slot``.

    Not an auto-default: in a form with text fields, Enter must not fire whichever
    action button last had the focus (assign, done, remove a photo …)."""
    button = QPushButton()
    button.setObjectName(name)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    return button
