"""Reference data: regions, districts, neighbourhoods, categories, channels, reasons.

The file format is the one of ``shared/data/kashan-reference.json`` (a copy ships in
``resources/reference/``).  :func:`load` reads and validates a file and either
returns a :class:`ReferenceSet` or raises :class:`ReferenceError` listing *every*
problem found, each with the place in the file it was found at, so that whoever
maintains the file can fix it in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.paths import resource_path
from sync.workflow import Status

DEFAULT_REFERENCE = "reference/kashan-reference.json"


@dataclass(frozen=True)
class Region:
    number: int
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class District:
    code: str
    region_number: int
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class Neighbourhood:
    code: str
    district_code: str
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class CategoryFamily:
    code: str
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class Category:
    code: str
    family_code: str
    name_fa: str
    name_en: str
    target_days: int


@dataclass(frozen=True)
class Channel:
    code: str
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class Reason:
    code: str
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class ReferenceSet:
    timezone: str
    regions: tuple[Region, ...]
    districts: tuple[District, ...]
    neighbourhoods: tuple[Neighbourhood, ...]
    families: tuple[CategoryFamily, ...]
    categories: tuple[Category, ...]
    channels: tuple[Channel, ...]
    reasons: tuple[Reason, ...]
    _index: dict[str, dict[Any, Any]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update(
            region={r.number: r for r in self.regions},
            district={d.code: d for d in self.districts},
            neighbourhood={n.code: n for n in self.neighbourhoods},
            family={f.code: f for f in self.families},
            category={c.code: c for c in self.categories},
            channel={c.code: c for c in self.channels},
            reason={r.code: r for r in self.reasons},
        )

    def region(self, number: int) -> Region:
        return self._index["region"][number]

    def district(self, code: str) -> District:
        return self._index["district"][code]

    def neighbourhood(self, code: str) -> Neighbourhood:
        return self._index["neighbourhood"][code]

    def category(self, code: str) -> Category:
        return self._index["category"][code]

    def channel(self, code: str) -> Channel:
        return self._index["channel"][code]

    def reason(self, code: str) -> Reason:
        return self._index["reason"][code]

    def has(self, kind: str, code: Any) -> bool:
        return code in self._index[kind]

    def neighbourhoods_of(self, district_code: str) -> list[Neighbourhood]:
        return [n for n in self.neighbourhoods if n.district_code == district_code]

    def districts_of(self, region_number: int) -> list[District]:
        return [d for d in self.districts if d.region_number == region_number]


class ReferenceError(ValueError):
    """A reference file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        super().__init__(f"{source}: {shown}")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}: '{key}' must be a non-empty text")
            return ""
        return value.strip()

    def items(self, obj: Any, key: str, where: str) -> list[tuple[int, dict[str, Any]]]:
        """The objects of list ``key``, each with its index in the file's list."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, list) or not value:
            self.problems.append(f"{where}: '{key}' must be a non-empty list")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.problems.append(f"{where}.{key}[{i}]: must be an object")
        return good

    def unique(self, kind: str, codes: Iterable[Any], wheres: Iterable[str]) -> None:
        """One problem per repeated code, naming every place it is used."""
        places: dict[Any, list[str]] = {}
        for code, where in zip(codes, wheres, strict=True):
            places.setdefault(code, []).append(where)
        for code, at in places.items():
            if len(at) > 1 and code not in ("", None):
                self.problems.append(f"{kind} code {code!r} is used {len(at)} times: {', '.join(at)}")


def parse(data: Any, source: str = "<data>") -> ReferenceSet:
    """Validate already-decoded JSON; see :func:`load`."""
    check = _Checker()
    if not isinstance(data, dict):
        raise ReferenceError(source, ["the file must hold one JSON object"])

    regions: list[Region] = []
    districts: list[District] = []
    neighbourhoods: list[Neighbourhood] = []
    # Where each item was found, in step with the lists above.
    region_at: list[str] = []
    district_at: list[str] = []
    neighbourhood_at: list[str] = []
    for ri, r in check.items(data, "regions", "$"):
        where = f"regions[{ri}]"
        number = r.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            check.problems.append(f"{where}: 'number' must be a whole number from 1")
            number = -1
        regions.append(Region(number, check.text(r, "name_fa", where), check.text(r, "name_en", where)))
        region_at.append(where)
        for di, d in check.items(r, "districts", where):
            dwhere = f"{where}.districts[{di}]"
            dcode = check.text(d, "code", dwhere)
            districts.append(District(dcode, number, check.text(d, "name_fa", dwhere), check.text(d, "name_en", dwhere)))
            district_at.append(dwhere)
            for ni, n in check.items(d, "neighbourhoods", dwhere):
                nwhere = f"{dwhere}.neighbourhoods[{ni}]"
                neighbourhoods.append(
                    Neighbourhood(
                        check.text(n, "code", nwhere), dcode,
                        check.text(n, "name_fa", nwhere), check.text(n, "name_en", nwhere),
                    )
                )
                neighbourhood_at.append(f"{nwhere} (district {dcode!r})" if dcode else nwhere)
    # A bad region number was reported above; -1 is a placeholder, not a repeat.
    check.unique("region", (r.number if r.number > 0 else None for r in regions), region_at)
    check.unique("district", (d.code for d in districts), district_at)
    # A neighbourhood listed under two districts shows up as a repeated code.
    check.unique("neighbourhood", (n.code for n in neighbourhoods), neighbourhood_at)

    family_items = check.items(data, "category_families", "$")
    family_at = [f"category_families[{i}]" for i, _ in family_items]
    families = [
        CategoryFamily(check.text(f, "code", w), check.text(f, "name_fa", w), check.text(f, "name_en", w))
        for (_, f), w in zip(family_items, family_at)
    ]
    check.unique("category family", (f.code for f in families), family_at)
    family_codes = {f.code for f in families}

    categories: list[Category] = []
    category_at: list[str] = []
    for i, c in check.items(data, "categories", "$"):
        where = f"categories[{i}]"
        category_at.append(where)
        family = check.text(c, "family", where)
        if family and family not in family_codes:
            check.problems.append(f"{where}: family {family!r} is not a category family")
        days = c.get("target_days")
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            check.problems.append(f"{where}: 'target_days' must be a whole number of days from 1")
            days = 0
        categories.append(
            Category(check.text(c, "code", where), family, check.text(c, "name_fa", where),
                     check.text(c, "name_en", where), days)
        )
    check.unique("category", (c.code for c in categories), category_at)

    def simple(key: str, cls: type) -> list[Any]:
        items = check.items(data, key, "$")
        at = [f"{key}[{i}]" for i, _ in items]
        out = [
            cls(check.text(x, "code", w), check.text(x, "name_fa", w), check.text(x, "name_en", w))
            for (_, x), w in zip(items, at)
        ]
        check.unique(key.rstrip("s"), (x.code for x in out), at)
        return out

    channels = simple("channels", Channel)
    reasons = simple("not_actionable_reasons", Reason)
    missing = {"phone", "web", "sms", "walk_in"} - {c.code for c in channels}
    if channels and missing:
        check.problems.append(f"channels: the intake channels {sorted(missing)} are missing")
    clash = {r.code for r in reasons} & {s.value for s in Status}
    if clash:
        check.problems.append(f"not_actionable_reasons: {sorted(clash)} clash with status codes")

    timezone = data.get("timezone", "Asia/Tehran")
    if timezone != "Asia/Tehran":
        check.problems.append(f"timezone: only Asia/Tehran is supported, not {timezone!r}")
    if data.get("calendar", "jalali") != "jalali":
        check.problems.append("calendar: only 'jalali' is supported")

    if check.problems:
        raise ReferenceError(source, check.problems)
    return ReferenceSet(
        timezone, tuple(regions), tuple(districts), tuple(neighbourhoods), tuple(families),
        tuple(categories), tuple(channels), tuple(reasons),
    )


def load(path: str | Path | None = None) -> ReferenceSet:
    """Read and validate a reference file (default: the shipped Kashan set)."""
    file = Path(path) if path else resource_path(DEFAULT_REFERENCE)
    try:
        raw = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReferenceError(str(file), [f"cannot read the file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise ReferenceError(str(file), ["the file is not UTF-8 text"]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReferenceError(str(file), [f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    return parse(data, str(file))


def default() -> ReferenceSet:
    """The shipped reference set, read once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load()
    return _DEFAULT


_DEFAULT: ReferenceSet | None = None
