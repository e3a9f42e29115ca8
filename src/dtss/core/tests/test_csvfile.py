"""The small CSV reader shared by the helpdesk's calendar and the homeschool's timetable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dtss.core.csvfile import rows_from_csv


def test_utf8_with_a_byte_order_mark_and_big5_read_the_same() -> None:
    text = "星期,節次\r\n 1 ,p1\r\n"
    expected = [["星期", "節次"], ["1", "p1"]]
    assert rows_from_csv(("\ufeff" + text).encode("utf-8")) == expected
    assert rows_from_csv(text.encode("cp950")) == expected


def test_bytes_of_no_known_encoding_name_the_file_field() -> None:
    with pytest.raises(ValidationError) as exc:
        rows_from_csv(b"\xff\xfe\x00\x81\x00")
    assert set(exc.value.message_dict) == {"file"}
