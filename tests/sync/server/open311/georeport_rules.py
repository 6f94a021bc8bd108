"""The GeoReport v2 field rules (http://wiki.open311.org/GeoReport_v2/), written out
for the tests: which fields each answer has, which are required, their enums and
date format; and an XML answer turned into the same dicts (stdlib ElementTree), so
that both formats are held to the same rules."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

#: W3C / ISO 8601 with a UTC offset, as the standard's examples write it.
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
SERVICE_REQUIRED = ("service_code", "service_name", "metadata", "type")
ATTRIBUTE_FIELDS = ("variable", "code", "datatype", "required", "datatype_description", "order",
                    "description")
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url")
REQUEST_REQUIRED = ("service_request_id", "status", "service_code", "requested_datetime")
DATE_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")

# ------------------------------------------------------------------ XML


def _value(element: ET.Element, lists: dict[str, str]) -> Any:
    if element.tag in lists:
        return [_value(child, lists) if len(child) else _leaf(child) for child in element
                if child.tag == lists[element.tag]]
    if len(element):
        return {child.tag: _value(child, lists) for child in element}
    return _leaf(element)


def _leaf(element: ET.Element) -> Any:
    return element.text


def xml_items(body: bytes, root: str, item: str) -> list[dict[str, Any]]:
    """``<root><item>…</item>…</root>`` as a list of dicts of text (None when empty)."""
    top = ET.fromstring(body)
    assert top.tag == root, (top.tag, root)
    assert all(child.tag == item for child in top), [child.tag for child in top]
    return [_value(child, {"attributes": "attribute", "values": "value"}) for child in top]


def xml_object(body: bytes, root: str) -> dict[str, Any]:
    top = ET.fromstring(body)
    assert top.tag == root, (top.tag, root)
    value = _value(top, {"attributes": "attribute", "values": "value"})
    assert isinstance(value, dict)
    return value


# ------------------------------------------------------------------ rules


def _bool(value: Any, xml: bool) -> bool:
    if xml:
        assert value in ("true", "false"), value
        return value == "true"
    assert isinstance(value, bool), value
    return value


def _number(value: Any, xml: bool) -> float | None:
    if value is None:
        return None
    if xml:
        return float(value)
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return float(value)


def check_service(service: dict[str, Any], *, xml: bool = False) -> None:
    assert set(service) == set(SERVICE_FIELDS), set(service) ^ set(SERVICE_FIELDS)
    for name in SERVICE_REQUIRED:
        assert service[name] not in (None, ""), name
    _bool(service["metadata"], xml)
    assert service["type"] in ("realtime", "batch", "blackbox")
    assert isinstance(service["keywords"], str)
    assert service["group"]


def check_definition(definition: dict[str, Any], *, xml: bool = False) -> None:
    assert set(definition) == {"service_code", "attributes"}
    assert definition["service_code"]
    for attribute in definition["attributes"]:
        assert set(ATTRIBUTE_FIELDS) <= set(attribute) <= set(ATTRIBUTE_FIELDS) | {"values"}
        _bool(attribute["variable"], xml)
        _bool(attribute["required"], xml)
        assert attribute["datatype"] in DATATYPES
        assert int(attribute["order"]) >= 1
        assert attribute["code"] and attribute["description"]
        if attribute["datatype"].endswith("valuelist"):
            assert attribute["values"], "a list attribute lists its values"
            for value in attribute["values"]:
                assert set(value) == {"key", "name"} and value["key"] and value["name"]


def check_request(request: dict[str, Any], *, xml: bool = False) -> None:
    assert set(request) == set(REQUEST_FIELDS), set(request) ^ set(REQUEST_FIELDS)
    for name in REQUEST_REQUIRED:
        assert request[name] not in (None, ""), name
    assert request["status"] in ("open", "closed")
    for name in DATE_FIELDS:
        if request[name] is not None:
            assert ISO_WITH_OFFSET.match(request[name]), (name, request[name])
    lat, long = _number(request["lat"], xml), _number(request["long"], xml)
    assert (lat is None) == (long is None)
    if lat is not None and long is not None:
        assert -90 <= lat <= 90 and -180 <= long <= 180


def check_posted(answer: dict[str, Any]) -> None:
    assert set(answer) <= {"service_request_id", "token", "service_notice", "account_id"}
    assert answer.get("service_request_id") or answer.get("token")


def check_errors(errors: list[dict[str, Any]], status: int, *, xml: bool = False) -> None:
    assert errors, "an error answer lists at least one error"
    for error in errors:
        assert set(error) == {"code", "description"}
        assert int(error["code"]) == status
        assert error["description"]
