"""The one timestamp check every builder uses: aware datetimes in UTC, ISO text as given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.resources._checks import check_timestamp
from avala.testing.strategies import aware_datetimes, iso_datetimes


@given(aware_datetimes())
def test_an_aware_datetime_is_sent_as_the_same_instant_in_utc(moment: datetime) -> None:
    text = check_timestamp("when", moment)
    assert text.endswith("Z") and "+" not in text
    parsed = datetime.fromisoformat(text)
    assert parsed == moment and parsed.utcoffset() == timedelta(0)


@given(aware_datetimes(), st.integers(-23 * 60, 23 * 60))
def test_equal_instants_render_alike(moment: datetime, minutes: int) -> None:
    elsewhere = moment.astimezone(timezone(timedelta(minutes=minutes)))
    assert check_timestamp("when", elsewhere) == check_timestamp("when", moment)


@given(iso_datetimes())
def test_iso_text_is_sent_unchanged(text: str) -> None:
    assert check_timestamp("when", text) == text


def test_the_rendering_is_iso_8601_with_z() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert check_timestamp("t", datetime(2024, 5, 1, 11, 0, tzinfo=plus_two)) == (
        "2024-05-01T09:00:00Z"
    )
    assert check_timestamp("t", datetime(2024, 5, 1, 9, 0, 0, 5, tzinfo=UTC)) == (
        "2024-05-01T09:00:00.000005Z"
    )


@pytest.mark.parametrize(
    "naive", [datetime(2024, 5, 1), datetime.now(), datetime.now(UTC).replace(tzinfo=None)]
)
def test_a_naive_datetime_names_the_argument_and_an_aware_spelling(naive: datetime) -> None:
    with pytest.raises(ValueError, match=r"(?s)^since\b.*datetime\.now\(timezone\.utc\)"):
        check_timestamp("since", naive)


def test_an_instant_outside_the_utc_calendar_is_a_value_error() -> None:
    edge = datetime.min.replace(tzinfo=timezone(timedelta(hours=5)))
    with pytest.raises(ValueError, match=r"^when\b"):
        check_timestamp("when", edge)


@pytest.mark.parametrize("text", ["yesterday", "", "2024-13-01T00:00:00Z"])
def test_text_that_is_not_iso_8601_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"^when\b.*ISO-8601"):
        check_timestamp("when", text)


@pytest.mark.parametrize("value", [None, 1714554000, 1.5, b"2024-05-01", datetime.now(UTC).date()])
def test_other_types_are_a_type_error_naming_both_accepted_kinds(value: object) -> None:
    with pytest.raises(TypeError, match=r"^when\b.*aware datetime.*ISO-8601"):
        check_timestamp("when", value)
