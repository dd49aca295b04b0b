"""Short, typable ids: P-12, S-3, T-7, C-21."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import ids
from coprod_core.errors import CoprodError
from coprod_core.records import Collections, core_collections

#: The table a workspace with only the built-in plugins reads ids with.
TABLE = Collections(core_collections())
COLLECTIONS = list(TABLE)


@given(st.sampled_from(COLLECTIONS), st.integers(0, 10**12 - 1))
def test_format_then_parse_is_the_identity(collection, number):
    record_id = TABLE.format_id(collection, number)
    assert TABLE.parse_id(collection, record_id) == record_id
    assert ids.number_of(record_id) == number
    assert TABLE.collection_of(record_id) == collection
    # The core's shortcuts read ids by the same rule.
    assert ids.parse_id(collection, record_id) == record_id == ids.format_id(collection, number)


@given(st.sampled_from(COLLECTIONS), st.integers(1, 10**9), st.sampled_from(
    ["{p}-{n}", "{lp}{n}", "{lp}-{n}", "{p}{n}", " {p}-{n} ", "{p}-0{n}", "\t{lp}{n}\n"]))
def test_the_ways_people_type_an_id_all_mean_the_same_record(collection, number, shape):
    prefix = TABLE[collection].prefix
    typed = shape.format(p=prefix, lp=prefix.lower(), n=number)
    assert TABLE.parse_id(collection, typed) == f"{prefix}-{number}"


@given(st.sampled_from(COLLECTIONS), st.text(max_size=20))
def test_any_text_is_an_id_or_a_clear_error(collection, text):
    prefix, word = TABLE[collection].prefix, TABLE[collection].word
    try:
        parsed = TABLE.parse_id(collection, text)
    except CoprodError as exc:
        message = str(exc)
        assert f"is not a {word} id" in message
        assert f"{prefix}-12" in message
        assert "\n" not in message.replace(repr(text), "")
    else:
        assert re.fullmatch(rf"{prefix}-\d+", parsed)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_an_id_of_another_kind_is_refused_naming_the_kind_wanted(collection):
    other = next(c for c in COLLECTIONS if c != collection)
    word = TABLE[collection].word
    with pytest.raises(CoprodError, match=f"is not a {word} id"):
        TABLE.parse_id(collection, TABLE.format_id(other, 3))


def test_prefixes_are_distinct():
    prefixes = [c.prefix for c in TABLE.values()]
    assert len(set(prefixes)) == len(prefixes)


def test_text_without_a_known_prefix_has_no_collection():
    assert TABLE.collection_of("Q-1") is None
    assert TABLE.collection_of("staff") is None
    assert TABLE.collection_of("p12") == "participants"


@given(st.sampled_from(COLLECTIONS), st.integers(0, 10**12 - 1))
def test_a_stored_id_is_canonical_and_a_typed_one_is_not(collection, number):
    record_id = TABLE.format_id(collection, number)
    assert ids.is_canonical(record_id)
    assert not ids.is_canonical(record_id.lower().replace("-", ""))
    assert not ids.is_canonical(f" {record_id}")
