"""Reference data: the shipped Kashan set loads; a broken file says everything wrong with it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sync import reference as ref
from sync.reference import ReferenceError, ReferenceSet, load, parse
from sync.workflow import Status
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "resources" / "reference" / "kashan-reference.json"
# The project's shared folder sits beside the checkout (CI clones a copy there too).
SHARED = ROOT.parent / "shared" / "data" / "kashan-reference.json"


@pytest.fixture
def raw() -> dict:
    """The shipped file as JSON, to break one thing at a time."""
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def write(tmp_path: Path, data, name: str = "ref.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def problems_of(data, tmp_path: Path) -> list[str]:
    path = write(tmp_path, data)
    with pytest.raises(ReferenceError) as info:
        load(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)
    return info.value.problems


# ------------------------------------------------------------- the shipped set


def test_shipped_file_is_the_shared_one():
    if not SHARED.exists():
        reason = f"no shared reference beside the checkout: {SHARED} is missing"
        if IN_CI:
            pytest.fail(reason + " (CI must compare the shipped set with it)", pytrace=False)
        pytest.skip(reason)
    assert json.loads(SHIPPED.read_text("utf-8")) == json.loads(SHARED.read_text("utf-8"))


def test_shipped_set_loads(raw: dict):
    data = load()
    assert isinstance(data, ReferenceSet)
    assert load(SHIPPED) == data
    assert ref.default() == data
    assert data.timezone == "Asia/Tehran"
    # The five regions of the seed.
    assert [r.number for r in data.regions] == [1, 2, 3, 4, 5]
    assert all(r.name_fa and r.name_en for r in data.regions)
    # Every district in exactly one region, every region has districts.
    assert len({d.code for d in data.districts}) == len(data.districts)
    assert {d.region_number for d in data.districts} == {1, 2, 3, 4, 5}
    for region in data.regions:
        assert data.districts_of(region.number)
    assert sum(len(data.districts_of(r.number)) for r in data.regions) == len(data.districts)
    # Every neighbourhood in exactly one district, and it is a district of the set.
    assert len({n.code for n in data.neighbourhoods}) == len(data.neighbourhoods)
    assert all(data.has("district", n.district_code) for n in data.neighbourhoods)
    assert sum(len(data.neighbourhoods_of(d.code)) for d in data.districts) == len(
        data.neighbourhoods
    )
    # Same counts as the raw file: nothing dropped or added on the way.
    raw_districts = [d for r in raw["regions"] for d in r["districts"]]
    raw_hoods = [n for d in raw_districts for n in d["neighbourhoods"]]
    assert len(data.districts) == len(raw_districts)
    assert len(data.neighbourhoods) == len(raw_hoods)


def test_shipped_categories_channels_reasons():
    data = load()
    families = {f.code for f in data.families}
    assert data.categories
    for category in data.categories:
        assert category.family_code in families
        assert isinstance(category.target_days, int) and category.target_days >= 1
        assert category.name_fa and category.name_en
    assert {c.code for c in data.channels} == {"phone", "web", "sms", "walk_in"}
    assert data.reasons
    assert "duplicate" in {r.code for r in data.reasons}
    assert not {r.code for r in data.reasons} & {s.value for s in Status}


def test_lookups():
    data = load()
    assert data.region(1).number == 1
    assert data.district("1-1").region_number == 1
    assert data.neighbourhood("bazaar").district_code == "1-1"
    assert data.channel("phone").code == "phone"
    assert data.reason("duplicate").code == "duplicate"
    cat = data.categories[0]
    assert data.category(cat.code) == cat
    assert data.has("category", cat.code)
    assert not data.has("district", "no-such")
    with pytest.raises(KeyError):
        data.district("no-such")


def test_a_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + SHIPPED.read_bytes())
    assert load(path) == load()


# --------------------------------------------------------------- broken files


def test_duplicate_codes_everywhere_are_all_reported_with_their_places(raw: dict, tmp_path):
    bad = copy.deepcopy(raw)
    bad["regions"][1]["number"] = 1
    second_district = bad["regions"][1]["districts"][0]
    second_district["code"] = "1-1"
    bad["category_families"].append(dict(bad["category_families"][0]))
    bad["categories"].append(dict(bad["categories"][0]))
    bad["channels"].append(dict(bad["channels"][0]))
    bad["not_actionable_reasons"].append(dict(bad["not_actionable_reasons"][0]))
    problems = problems_of(bad, tmp_path)

    def one(prefix: str) -> str:
        found = [p for p in problems if p.startswith(prefix)]
        assert len(found) == 1, (prefix, problems)
        return found[0]

    assert "regions[0]" in one("region code 1 ") and "regions[1]" in one("region code 1 ")
    district = one("district code '1-1'")
    assert "regions[0].districts[0]" in district and "regions[1].districts[0]" in district
    nf = len(raw["category_families"])
    fam = one(f"category family code {raw['category_families'][0]['code']!r}")
    assert "category_families[0]" in fam and f"category_families[{nf}]" in fam
    cat = one(f"category code {raw['categories'][0]['code']!r}")
    assert "categories[0]" in cat and f"categories[{len(raw['categories'])}]" in cat
    assert f"channels[{len(raw['channels'])}]" in one("channel code 'phone'")
    reason = one(f"not_actionable_reason code {raw['not_actionable_reasons'][0]['code']!r}")
    assert "not_actionable_reasons[0]" in reason
    assert len(problems) == 6, problems


def test_a_neighbourhood_in_two_districts(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    hood = raw["regions"][0]["districts"][0]["neighbourhoods"][0]
    other = bad["regions"][2]["districts"][0]
    other["neighbourhoods"].append(dict(hood))
    problems = problems_of(bad, tmp_path)
    assert len(problems) == 1, problems
    message = problems[0]
    assert f"neighbourhood code {hood['code']!r} is used 2 times" in message
    # Both places, and both districts, so the maintainer knows which to fix.
    assert "regions[0].districts[0].neighbourhoods[0]" in message
    where = f"regions[2].districts[0].neighbourhoods[{len(other['neighbourhoods']) - 1}]"
    assert where in message
    assert repr(raw["regions"][0]["districts"][0]["code"]) in message
    assert repr(other["code"]) in message


def test_unknown_family(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["categories"][2]["family"] = "plumbing"
    assert problems_of(bad, tmp_path) == [
        "categories[2]: family 'plumbing' is not a category family"
    ]


def test_missing_names_and_fields_everywhere(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    del bad["regions"][0]["name_fa"]
    bad["regions"][1]["districts"][1]["name_en"] = "   "
    del bad["regions"][2]["districts"][0]["neighbourhoods"][1]["name_fa"]
    bad["category_families"][3]["name_en"] = ""
    bad["categories"][4]["name_fa"] = None
    del bad["categories"][5]["target_days"]
    bad["categories"][6]["target_days"] = 0
    bad["channels"][1]["name_fa"] = 7
    del bad["not_actionable_reasons"][2]["code"]
    problems = problems_of(bad, tmp_path)
    assert problems == [
        "regions[0]: 'name_fa' must be a non-empty text",
        "regions[1].districts[1]: 'name_en' must be a non-empty text",
        "regions[2].districts[0].neighbourhoods[1]: 'name_fa' must be a non-empty text",
        "category_families[3]: 'name_en' must be a non-empty text",
        "categories[4]: 'name_fa' must be a non-empty text",
        "categories[5]: 'target_days' must be a whole number of days from 1",
        "categories[6]: 'target_days' must be a whole number of days from 1",
        "channels[1]: 'name_fa' must be a non-empty text",
        "not_actionable_reasons[2]: 'code' must be a non-empty text",
    ]


def test_every_problem_is_listed_not_just_the_first_few(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    for category in bad["categories"]:
        category["target_days"] = "soon"
    problems = problems_of(bad, tmp_path)
    assert len(problems) == len(raw["categories"]) > 5
    with pytest.raises(ReferenceError) as info:
        load(write(tmp_path, bad))
    assert f"(and {len(problems) - 5} more)" in str(info.value)


def test_wrong_shapes(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["regions"][0]["number"] = "one"
    bad["regions"][1]["number"] = True
    bad["regions"][2]["districts"] = []
    bad["regions"][3]["districts"].insert(0, "1-9")
    bad["categories"] = {}
    del bad["channels"]
    problems = problems_of(bad, tmp_path)
    assert "regions[0]: 'number' must be a whole number from 1" in problems
    assert "regions[1]: 'number' must be a whole number from 1" in problems
    assert "regions[2]: 'districts' must be a non-empty list" in problems
    assert "regions[3].districts[0]: must be an object" in problems
    assert "$: 'categories' must be a non-empty list" in problems
    assert "$: 'channels' must be a non-empty list" in problems
    # Two bad region numbers are two problems, not also a "repeated" one.
    assert not [p for p in problems if p.startswith("region code")], problems
    assert len(problems) == 6, problems


def test_places_count_items_that_were_not_objects(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["categories"].insert(0, "garbage")
    bad["categories"][2]["family"] = "nope"  # the file's categories[2]
    problems = problems_of(bad, tmp_path)
    assert problems == [
        "$.categories[0]: must be an object",
        "categories[2]: family 'nope' is not a category family",
    ]


def test_missing_channel_and_reason_clash(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["channels"] = [c for c in bad["channels"] if c["code"] != "sms"]
    bad["not_actionable_reasons"][0]["code"] = "done"
    problems = problems_of(bad, tmp_path)
    assert problems == [
        "channels: the intake channels ['sms'] are missing",
        "not_actionable_reasons: ['done'] clash with status codes",
    ]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kabul", "+03:30", 3.5])
def test_wrong_timezone(raw: dict, tmp_path: Path, zone):
    bad = copy.deepcopy(raw)
    bad["timezone"] = zone
    assert problems_of(bad, tmp_path) == [
        f"timezone: only Asia/Tehran is supported, not {zone!r}"
    ]


def test_wrong_calendar(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["calendar"] = "gregorian"
    assert problems_of(bad, tmp_path) == ["calendar: only 'jalali' is supported"]


def test_many_problems_at_once(raw: dict, tmp_path: Path):
    bad = copy.deepcopy(raw)
    bad["timezone"] = "UTC"
    bad["categories"][0]["family"] = "nope"
    del bad["regions"][4]["name_en"]
    bad["regions"][0]["districts"][1]["code"] = bad["regions"][0]["districts"][0]["code"]
    problems = problems_of(bad, tmp_path)
    assert len(problems) == 4, problems
    assert {p.split(":")[0].split(" ")[0] for p in problems} == {
        "regions[4]", "district", "categories[0]", "timezone"
    }


def test_not_json(tmp_path: Path):
    path = tmp_path / "ref.json"
    path.write_text('{"regions": [\n  {"number": 1,}\n]}', encoding="utf-8")
    with pytest.raises(ReferenceError) as info:
        load(path)
    (problem,) = info.value.problems
    assert problem.startswith("not valid JSON at line 2, column")


def test_not_an_object(tmp_path: Path):
    path = write(tmp_path, [1, 2, 3])
    with pytest.raises(ReferenceError) as info:
        load(path)
    assert info.value.problems == ["the file must hold one JSON object"]


def test_not_utf8(tmp_path: Path):
    path = tmp_path / "ref.json"
    # Saved by an old Windows editor in the Arabic code page.
    path.write_bytes(SHIPPED.read_text("utf-8").encode("cp1256", errors="replace"))
    with pytest.raises(ReferenceError) as info:
        load(path)
    assert info.value.problems == ["the file is not UTF-8 text"]


def test_missing_file(tmp_path: Path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(ReferenceError) as info:
        load(path)
    assert info.value.source == str(path)
    (problem,) = info.value.problems
    assert problem.startswith("cannot read the file")
    assert "No such file" in problem


def test_parse_without_a_file(raw: dict):
    assert parse(raw) == load()
    with pytest.raises(ReferenceError) as info:
        parse({}, "inline")
    assert info.value.source == "inline"
    assert "$: 'regions' must be a non-empty list" in info.value.problems
    assert len(info.value.problems) == 5  # regions, families, categories, channels, reasons


def test_reference_error_is_a_value_error():
    assert issubclass(ReferenceError, ValueError)
