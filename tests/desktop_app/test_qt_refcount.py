"""PySide6 must not leak references to None (shared/research/platform.md).

PySide6 6.12.0 on Python 3.11 lowers ``None``'s reference count on every Qt call
that returns nothing; after a few thousand calls the process dies with
``Fatal Python error: none_dealloc``.  This makes ~10,000 such calls of the kinds
the app makes all day (label text, painting) and checks the count stayed put.

The calls run in batches and the count is checked after each, so a bad build fails
this test with a message instead of killing the whole test run.  (From Python 3.12
``None`` is immortal and its count never moves; the test then passes trivially.)
"""

from __future__ import annotations

import gc
import sys

import pytest

QtCore = pytest.importorskip("PySide6.QtCore")
QtGui = pytest.importorskip("PySide6.QtGui")
QtWidgets = pytest.importorskip("PySide6.QtWidgets")

CALLS = 10_000
BATCH = 250
#: Other code may hold a few more or fewer references to None meanwhile; a leak of
#: one per call is thousands.
SLACK = 50


def none_refs() -> int:
    return sys.getrefcount(None)


def run_batches(step, calls: int = CALLS) -> int:
    """Call ``step(i)`` ``calls`` times; fail early if None is being leaked.
    Returns how far None's count moved down overall."""
    # Collect old garbage first: whatever the collector frees later was made here.
    gc.collect()
    before = none_refs()
    for start in range(0, calls, BATCH):
        for i in range(start, min(start + BATCH, calls)):
            step(i)
        drop = before - none_refs()
        assert drop <= SLACK, (
            f"None lost {drop} references after {start + BATCH} void Qt calls: this "
            "PySide6 build leaks None (platform.md: 6.12.0 on Python 3.11)"
        )
    return before - none_refs()


def test_label_set_text(qapp):
    label = QtWidgets.QLabel()
    texts = ["درخواست ۱۲۳", "Request 123", ""]
    assert run_batches(lambda i: label.setText(texts[i % 3])) <= SLACK
    assert label.text() == texts[(CALLS - 1) % 3]


def test_painting_on_an_image(qapp):
    image = QtGui.QImage(64, 64, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    pens = [QtGui.QPen(QtGui.QColor("black")), QtGui.QPen(QtGui.QColor("red"))]
    rect = QtCore.QRect(2, 2, 20, 20)
    brush = QtGui.QColor("blue")
    try:

        def step(i: int) -> None:
            painter.setPen(pens[i % 2])
            painter.fillRect(rect, brush)

        assert run_batches(step, CALLS // 2) <= SLACK  # two void calls a step
    finally:
        painter.end()
    assert image.pixelColor(10, 10) == QtGui.QColor("blue")


def test_widget_calls_with_qtbot(qtbot):
    widget = QtWidgets.QLineEdit()
    qtbot.addWidget(widget)
    assert run_batches(lambda i: widget.setReadOnly(bool(i % 2))) <= SLACK
    assert widget.isReadOnly() is True  # the last call, i = CALLS - 1, is odd


def test_the_pinned_pyside6_is_not_the_known_bad_one():
    import PySide6

    if sys.version_info[:2] == (3, 11):
        assert not PySide6.__version__.startswith("6.12.0"), PySide6.__version__


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12")
def test_the_check_sees_a_leak():
    """The guard is only worth something if it notices the bug's leak: here a step
    that drops one reference to None per call, as PySide6 6.12.0 did (and puts the
    references back afterwards)."""
    import ctypes

    dropped = 0

    def leaky_void_call(_i: int) -> None:
        nonlocal dropped
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
        dropped += 1

    try:
        with pytest.raises(AssertionError, match="leaks None"):
            run_batches(leaky_void_call, calls=4 * BATCH)
    finally:
        for _ in range(dropped):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    assert dropped == BATCH  # it stopped at the first batch, long before a crash
