"""Language, direction, digits and font for the whole application, set in one place.

Persian is the first language: right to left, Persian digits through
``QLocale(Persian, Iran)``, the bundled Vazirmatn font.  English is a menu choice
away and can be switched while the app runs: :meth:`Translations.apply` swaps the
translators, the default locale and the layout direction for the application
(never per window — style.md, "don't copy Persepolis"), and Qt then sends every
widget a ``LanguageChange`` event, on which each retranslates itself.

Translations are Qt's own: every ``resources/i18n/*_<lang>.qm`` (one per part of
the app, e.g. ``daftar_main_fa.qm`` and ``daftar_forms_fa.qm``) plus Qt's
``qtbase_<lang>.qm`` for the words of standard buttons and dialogs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from sync.paths import resource_path

LANGUAGES = ("fa", "en")
DEFAULT_LANGUAGE = "fa"
ORGANIZATION = "Daftar"
APPLICATION = "Daftar"
FONT_FAMILY = "Vazirmatn"
FONT_POINT_SIZE = 10

_LOCALES = {
    "fa": (QLocale.Language.Persian, QLocale.Country.Iran),
    "en": (QLocale.Language.English, QLocale.Country.UnitedKingdom),
}


def i18n_dir() -> Path:
    return resource_path("i18n")


def settings() -> QSettings:
    """The user's preferences (language, window layout): per user, per machine."""
    return QSettings(ORGANIZATION, APPLICATION)


def saved_language() -> str:
    value = settings().value("language", DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def save_language(language: str) -> None:
    settings().setValue("language", language)


def load_fonts() -> str:
    """Register the bundled Vazirmatn faces and make it the application font, so
    Persian looks the same on every office PC whatever fonts Windows has."""
    for path in sorted(resource_path("fonts").glob(f"{FONT_FAMILY}-*.ttf")):
        QFontDatabase.addApplicationFont(str(path))
    font = QFont(FONT_FAMILY, FONT_POINT_SIZE)
    QGuiApplication.setFont(font)
    return font.family()


class Translations:
    """The translators installed for the current language; swapped as a whole."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = ""

    def apply(self, language: str) -> None:
        """Switch the whole application to ``language`` ("fa" or "en")."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
        assert QCoreApplication.instance() is not None, "create the QApplication first"
        self.remove()
        if language != "en":  # the source strings are English
            for path in sorted(i18n_dir().glob(f"*_{language}.qm")):
                self._install(str(path))
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            self._install(str(Path(qt_dir) / f"qtbase_{language}.qm"))
        QLocale.setDefault(QLocale(*_LOCALES[language]))
        QGuiApplication.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if language == "fa" else Qt.LayoutDirection.LeftToRight)
        self.language = language

    def remove(self) -> None:
        """Take this language's translators out again (closing, or switching)."""
        for translator in self._installed:
            QCoreApplication.removeTranslator(translator)
        self._installed = []

    def _install(self, path: str) -> None:
        translator = QTranslator()
        if translator.load(path):
            QCoreApplication.installTranslator(translator)
            self._installed.append(translator)
