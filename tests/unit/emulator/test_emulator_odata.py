"""The $filter and $select subset of the Batch list operations."""

import datetime

import pytest

try:
    from ansible_collections.azure_batch.ops.tests.emulator import odata
except ImportError:
    from tests.emulator import odata


def _at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


ITEMS = [
    {"id": "render-1", "state": "active", "creationTime": _at("2024-01-01T10:00:00"), "stateTransitionTime": _at("2024-01-02T00:00:00")},
    {"id": "Render-2", "state": "running", "creationTime": _at("2024-03-01T10:00:00"), "stateTransitionTime": _at("2024-03-01T10:00:00")},
    {"id": "ingest-1", "state": "completed", "creationTime": _at("2024-06-01T00:00:00"), "stateTransitionTime": _at("2024-06-02T00:00:00")},
]


def _ids(text):
    predicate = odata.parse_filter(text)
    return [item["id"] for item in ITEMS if predicate(item)]


@pytest.mark.parametrize("text, expected", [
    ("state eq 'active'", ["render-1"]),
    ("state eq 'ACTIVE'", ["render-1"]),  # values are case-insensitive
    ("state ne 'active'", ["Render-2", "ingest-1"]),
    ("id eq 'render-2'", ["Render-2"]),
    ("id gt 'j'", ["render-1", "Render-2"]),
    ("startswith(id,'render')", ["render-1", "Render-2"]),
    ("creationTime ge DateTime'2024-03-01T10:00:00Z'", ["Render-2", "ingest-1"]),
    ("creationTime lt DateTime'Fri, 01 Mar 2024 10:00:00 GMT'", ["render-1"]),
    ("stateTransitionTime le DateTime'2024-03-01T10:00:00.0000000Z'", ["render-1", "Render-2"]),
    ("state eq 'active' or state eq 'completed'", ["render-1", "ingest-1"]),
    ("(state eq 'active' or state eq 'running') and creationTime gt DateTime'2024-02-01T00:00:00Z'", ["Render-2"]),
    ("state eq 'active' or state eq 'running' and id eq 'nothing'", ["render-1"]),  # and binds tighter
])
def test_filter_selects(text, expected):
    assert _ids(text) == expected


@pytest.mark.parametrize("text", [
    "",
    "State eq 'active'",  # property names are case-sensitive
    "state gt 'active'",  # state allows eq and ne only
    "priority eq 1",
    "creationTime gt '2024-01-01T00:00:00Z'",  # needs a DateTime literal
    "creationTime gt DateTime'not a date'",
    "state eq 'active' and",
    "(state eq 'active'",
    "state eq active",
    "startswith(state,'a')",
])
def test_filter_refuses(text):
    with pytest.raises(odata.ODataError):
        odata.parse_filter(text)


def test_select_keeps_metadata_and_named_properties_in_order():
    doc = {"odata.metadata": "m", "id": "j", "url": "u", "state": "active", "eTag": "0x1"}
    names = odata.parse_select("state, id", odata.JOB_PROPERTIES)
    assert list(odata.apply_select(doc, names)) == ["odata.metadata", "id", "state"]
    with pytest.raises(odata.ODataError):
        odata.parse_select("id,nodeInfo", odata.JOB_PROPERTIES)
    with pytest.raises(odata.ODataError):
        odata.parse_select("executionInfo/endTime", odata.JOB_PROPERTIES)
    assert odata.parse_select("nodeInfo", odata.TASK_PROPERTIES) == ["nodeInfo"]
