"""Open311 GeoReport v2 on the wire: the shapes the standard names (as pydantic
models, for the OpenAPI description) and their two renderings, JSON and XML.

The standard (http://wiki.open311.org/GeoReport_v2/) names every field and the
XML root of each answer; both renderings here come from the same plain dicts so
that they never disagree.  In XML an absent value is an empty element, a list is
one child per item (``<attributes><attribute>…``, ``<values><value>…``), a
boolean is ``true``/``false``.
"""

from __future__ import annotations

import enum
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


class Format(enum.StrEnum):
    JSON = "json"
    XML = "xml"


# ------------------------------------------------------------------ shapes


class Service(BaseModel):
    """One service (a category) of ``GET services``."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = Field(description="true: GET services/{service_code} has attributes")
    type: str = Field(json_schema_extra={"enum": ["realtime", "batch", "blackbox"]})
    keywords: str = Field(description="comma-separated")
    group: str = Field(description="the category family")


class AttributeValue(BaseModel):
    key: str
    name: str


class Attribute(BaseModel):
    variable: bool
    code: str
    datatype: str = Field(json_schema_extra={"enum": [
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]})
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue] | None = None


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


class PostedRequest(BaseModel):
    """The answer to ``POST requests``: the tracking code at once (``realtime``)."""

    service_request_id: str | None
    token: str | None = None
    service_notice: str | None
    account_id: str | None


class RequestToken(BaseModel):
    service_request_id: str | None
    token: str


class ServiceRequestOut(BaseModel):
    """A request as the public sees it: never the citizen's name, phone or e-mail."""

    service_request_id: str
    status: str = Field(json_schema_extra={"enum": ["open", "closed"]})
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str = Field(description="ISO 8601 with offset")
    updated_datetime: str | None = Field(description="ISO 8601 with offset")
    expected_datetime: str | None = Field(description="ISO 8601 with offset")
    address: str | None
    address_id: str | None = Field(description="the neighbourhood's code")
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311ErrorItem(BaseModel):
    code: int
    description: str


# ------------------------------------------------------------- rendering

#: XML root and item element of each answer, as the standard writes them.
SERVICES = ("services", "service")
REQUESTS = ("service_requests", "request")
ERRORS = ("errors", "error")
#: Children of a list field in XML: ``<attributes><attribute>``.
_ITEM_OF = {"attributes": "attribute", "values": "value"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _element(child, key, inner)
    elif isinstance(value, list):
        for item in value:
            _element(child, _ITEM_OF.get(name, "item"), item)
    else:
        child.text = _text(value)


def to_xml(root: str, item: str | None, payload: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    """``payload`` (a list of items, or one object when ``item`` is None) as XML."""
    top = ET.Element(root)
    if item is None:
        assert isinstance(payload, Mapping)
        for key, value in payload.items():
            _element(top, key, value)
    else:
        for entry in payload:
            _element(top, item, entry)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def render(fmt: Format | str, names: tuple[str, str | None], payload: Any) -> tuple[bytes, str]:
    """The body and its content type."""
    if fmt == Format.XML:
        return to_xml(names[0], names[1], payload), XML_TYPE
    return to_json(payload), JSON_TYPE


def error_body(fmt: Format | str, status: int, description: str) -> tuple[bytes, str]:
    """The standard's error answer: ``[{"code", "description"}]`` or
    ``<errors><error><code/><description/></error></errors>``."""
    return render(fmt, ERRORS, [{"code": status, "description": description}])


def format_of_path(path: str) -> Format:
    """The format an answer to ``path`` is in (an error too): XML for ``….xml``."""
    return Format.XML if path.lower().endswith(".xml") else Format.JSON
