"""Persian first: every string a person can see has a finished Persian translation,
every compiled ``.qm`` is the compilation of its ``.ts``, and switching language
sets locale, digits and direction for the whole application at once.

"Every string" is checked from the source: ``pyside6-lupdate`` extracts all
translatable text of ``desktop_app/app.py`` and ``desktop_app/ui`` afresh, and each
message must be found translated in one of ``resources/i18n/*_fa.ts`` — a string
added in code but never extracted fails here, not on a clerk's screen.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication

from desktop_app.ui.i18n import FONT_FAMILY, Translations, i18n_dir, load_fonts

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
TS_FILES = sorted(i18n_dir().glob("*_fa.ts"))


def messages(ts: Path) -> Iterator[tuple[str, str, ET.Element]]:
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message.findtext("source") or "", message


def finished(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    forms = translation.findall("numerusform")
    texts = [f.text for f in forms] if forms else [translation.text]
    return all(text and text.strip() for text in texts)


def test_there_are_persian_translations() -> None:
    names = {ts.name for ts in TS_FILES}
    assert "daftar_main_fa.ts" in names


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_every_message_has_a_finished_persian_translation(ts: Path) -> None:
    missing = [f"{context}: {source!r}" for context, source, message in messages(ts)
               if not finished(message)]
    assert not missing, f"{ts.name} lacks Persian for:\n" + "\n".join(missing)


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_each_qm_is_the_compilation_of_its_ts(ts: Path, tmp_path: Path) -> None:
    """Compares content, not modification times: a git checkout gives both files
    whatever times it likes, so "older than" is read as "not compiled from"."""
    qm = ts.with_suffix(".qm")
    assert qm.exists(), f"{qm.name} is missing: run pyside6-lrelease {ts}"
    fresh = tmp_path / qm.name
    subprocess.run([str(BIN / "pyside6-lrelease"), str(ts), "-qm", str(fresh)],
                   check=True, capture_output=True)
    assert fresh.read_bytes() == qm.read_bytes(), f"{qm.name} is stale: run pyside6-lrelease {ts}"


def test_every_string_in_the_code_is_translated(tmp_path: Path) -> None:
    sources = [ROOT / "desktop_app" / "app.py", *sorted((ROOT / "desktop_app" / "ui").rglob("*.py"))]
    extracted = tmp_path / "extracted.ts"
    subprocess.run([str(BIN / "pyside6-lupdate"), *map(str, sources), "-ts", str(extracted)],
                   check=True, capture_output=True)
    translated = {(context, source) for ts in TS_FILES
                  for context, source, message in messages(ts) if finished(message)}
    code = {(context, source) for context, source, _ in messages(extracted)}
    assert code, "lupdate found no strings at all"
    missing = sorted(code - translated)
    assert not missing, "no Persian translation for:\n" + "\n".join(f"{c}: {s!r}" for c, s in missing)


@pytest.fixture
def translations(qapp) -> Iterator[Translations]:  # type: ignore[no-untyped-def]
    translations = Translations()
    yield translations
    translations.remove()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_persian_sets_direction_digits_and_words(translations: Translations) -> None:
    translations.apply("fa")
    assert QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QLocale().toString(1405) == "۱٬۴۰۵"
    assert QCoreApplication.translate("MainWindow", "Requests") == "درخواست‌ها"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "انصراف"  # Qt's own words
    translations.apply("en")
    assert QGuiApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert QLocale().toString(1405) == "1,405"
    assert QCoreApplication.translate("MainWindow", "Requests") == "Requests"
    with pytest.raises(ValueError):
        translations.apply("de")


def test_the_bundled_font_is_loaded_with_its_licence(qapp) -> None:  # type: ignore[no-untyped-def]
    assert load_fonts() == FONT_FAMILY
    assert FONT_FAMILY in QFontDatabase.families()
    assert QGuiApplication.font().family() == FONT_FAMILY
    assert (ROOT / "resources" / "fonts" / "OFL.txt").exists()
