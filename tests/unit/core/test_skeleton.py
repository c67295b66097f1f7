"""Example requests: every field shown, one oneof case, bounded recursion, parses back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.core.messages_schema import message_type, schema
from workbench.core.messages.codec import parse_json, to_dict
from workbench.core.messages.fieldpath import is_map_field
from workbench.core.messages.skeleton import (
    EXAMPLE_TIMESTAMP,
    example_dict,
    example_json,
    example_message,
)

# Fields an example leaves out on purpose: later oneof cases, and Any (no type to guess).
SKIPPED = {"item", "number", "payload", "anys"}


def test_every_field_is_present() -> None:
    desc = message_type("Everything")
    out = example_dict(desc)
    # a repeated Any is shown empty (emitted as a default), a singular one not at all
    expected = [f.json_name for f in desc.fields if f.name not in SKIPPED - {"anys"}]
    assert list(out) == expected
    assert out["anys"] == []


def test_every_scalar_type_has_a_placeholder() -> None:
    out = example_dict(message_type("Scalars"))
    assert out == {
        "fDouble": 0,
        "fFloat": 0,
        "fInt32": 0,
        "fInt64": "0",
        "fUint32": 0,
        "fUint64": "0",
        "fSint32": 0,
        "fSint64": "0",
        "fFixed32": 0,
        "fFixed64": "0",
        "fSfixed32": 0,
        "fSfixed64": "0",
        "fBool": False,
        "fString": "",
        "fBytes": "",
        "fEnum": "RED",  # the first non-zero value, not COLOR_UNSPECIFIED
    }


def test_repeated_map_and_well_known_values() -> None:
    out = example_dict(message_type("Everything"))
    assert out["ints"] == ["0"]
    assert out["colors"] == ["RED"]
    assert out["items"] == [
        {"name": "", "price": {"units": "0", "nanos": 0, "currencyCode": ""}, "quantity": 0}
    ]
    assert out["labels"] == {"key": {"x": "", "y": 0}}
    assert out["byId"] == {"0": ""}
    assert out["flags"] == {"false": 0}
    assert out["codes"] == {"0": "RED"}
    assert out["createdAt"] == EXAMPLE_TIMESTAMP
    assert out["timeout"] == "1s"
    assert out["meta"] == {"key": "value"}
    assert out["anything"] == "value"
    assert out["list"] == ["value"]
    assert out["mask"] == ""
    assert out["nothing"] == {}
    assert out["times"] == [EXAMPLE_TIMESTAMP]
    assert out["values"] == {"key": "value"}
    assert (out["wInt64"], out["wBool"], out["wString"], out["wBytes"]) == ("0", False, "", "")


def test_oneof_sets_only_the_first_case_and_optional_fields_are_set() -> None:
    msg: Any = example_message(message_type("Everything"))
    assert msg.WhichOneof("choice") == "text"
    assert msg.HasField("maybe") and msg.HasField("maybe_text")


def test_recursion_is_bounded_by_max_depth() -> None:
    def depth(node: dict[str, Any]) -> int:
        below = [depth(c) for c in node.get("children", [])]
        if "parent" in node:
            below.append(depth(node["parent"]))
        return 1 + max(below, default=0)

    for max_depth in range(5):
        out = example_dict(message_type("Node"), max_depth=max_depth)
        assert depth(out) == max_depth + 1
    # in Everything the tree starts one level down
    assert depth(example_dict(message_type("Everything"), max_depth=3)["tree"]) == 3


def test_depth_zero_fills_only_the_top_level() -> None:
    out = example_dict(message_type("Everything"), max_depth=0)
    assert "scalars" not in out and "items" in out and out["items"] == []
    assert out["labels"] == {}  # a map of messages gets no entry
    assert out["byId"] == {"0": ""}
    assert out["createdAt"] == EXAMPLE_TIMESTAMP  # well-known types are leaves
    assert out["text"] == ""


def test_deterministic() -> None:
    desc = message_type("Everything")
    assert example_json(desc) == example_json(desc)
    assert example_message(desc).SerializeToString(deterministic=True) == example_message(
        desc
    ).SerializeToString(deterministic=True)


@pytest.mark.parametrize("name", [m.full_name for m in schema().messages()])
def test_every_example_parses_back(name: str) -> None:
    desc = schema().message(name)
    for max_depth in (0, 1, 3):
        text = example_json(desc, max_depth=max_depth)
        assert parse_json(text, desc) == example_message(desc, max_depth=max_depth)


def test_original_names_and_compact_output() -> None:
    desc = message_type("Item")
    assert example_json(desc, indent=None, original_names=True) == (
        '{"name":"","price":{"units":"0","nanos":0,"currency_code":""},"quantity":0}'
    )
    assert json.loads(example_json(desc)) == example_dict(desc)


def test_proto2_enum_without_zero_and_defaults() -> None:
    desc = message_type("wbtest.legacy.Old")
    msg: Any = example_message(desc)
    assert msg.mode == 1
    assert msg.HasField("count")  # proto2 optional: set, so it shows in the example
    assert to_dict(msg) == {"mode": "MODE_A", "count": 0, "modes": ["MODE_A"]}


def test_every_field_filled_or_skipped_for_a_reason() -> None:
    msg: Any = example_message(message_type("Everything"))
    for field in msg.DESCRIPTOR.fields:
        if field.name in SKIPPED:
            continue
        if field.is_repeated or is_map_field(field):
            assert len(getattr(msg, field.name)) == 1, field.name
        elif field.has_presence:
            assert msg.HasField(field.name), field.name
