"""Postcode validation and the GB postcode -> 2024 seat lookup, decoded straight from the raw files."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npd_briefing import config
from npd_briefing.data.postcode_ranges import decode_range_lookup
from npd_briefing.exceptions import DataFileError, PostcodeError
from npd_briefing.seats.postcodes import PostcodeLookup, looks_like_postcode, normalise_postcode

RAW = config.RAW_DATA_DIR / "constituencies"
RANGES_JSON = RAW / "mysociety_pcon_2024_postcode_range_lookup.json"
SEATS_JSON = RAW / "mysociety_pcon_2024_lookup.json"


@pytest.fixture(scope="module")
def frame():
    return decode_range_lookup(RANGES_JSON, SEATS_JSON)


@pytest.fixture(scope="module")
def lookup(frame):
    return PostcodeLookup(frame)


@pytest.fixture(scope="module")
def gss_by_name():
    seats = json.loads(SEATS_JSON.read_text(encoding="utf-8")).values()
    return {seat["parlcon_2024_name"]: seat["parlcon_2024_gss_code"] for seat in seats}


def test_decoded_table_has_every_range_in_order(frame, gss_by_name):
    assert list(frame.columns) == ["range_start", "gss_code"]
    assert frame["range_start"].dtype == np.int64 and len(frame) == 54_076
    assert frame["range_start"].is_monotonic_increasing and frame["range_start"].is_unique
    assert frame["range_start"].iloc[0] == int("B11AY", 36)  # B1 1AY, the first postcode in the table
    assert frame["gss_code"].isna().sum() == 0 and (frame["gss_code"] == "").sum() == 31
    assert set(frame["gss_code"]) - {""} <= set(gss_by_name.values())
    assert frame["gss_code"].nunique() == 633  # the 632 GB seats, plus "" for no constituency


def test_lookup_knows_every_gb_postcode_area_and_no_other(lookup):
    assert len(lookup.areas) == 120
    assert {"AB", "B", "CF", "EH", "HS", "KW", "LL", "SW", "TR", "YO", "ZE"} <= lookup.areas
    assert not {"BT", "GY", "JE", "IM", "BF"} & lookup.areas


# Districts marked * never start a range (every postcode in them shares the previous district's
# seat), so any inward code there gets the same answer: these check that they are not rejected.
@pytest.mark.parametrize(
    "postcode, seat_name",
    [
        ("SW1A 1AA", "Cities of London and Westminster"),
        ("M1 1AE", "Manchester Central"),
        ("CF10 1EP", "Cardiff South and Penarth"),
        ("EH1 1YZ", "Edinburgh East and Musselburgh"),
        ("LL65 1AA", "Ynys Môn"),  # * Holyhead, Wales
        ("IV1 1AD", "Inverness, Skye and West Ross-shire"),  # Scotland
        ("ZE1 0AA", "Orkney and Shetland"),
        ("KW15 1AA", "Orkney and Shetland"),
        ("YO15 1AA", "Bridlington and The Wolds"),
        ("YO16 4AA", "Bridlington and The Wolds"),  # *
        ("TR21 0AA", "St Ives"),  # * Isles of Scilly
    ],
)
def test_known_postcodes_give_their_seat(lookup, gss_by_name, postcode, seat_name):
    assert lookup.lookup(postcode) == gss_by_name[seat_name]


@pytest.mark.parametrize("text", ["SW1A 1AA", "sw1a1aa", " SW1A  1AA ", "Sw1A 1aA", "SW1A1AA", "sW1a 1Aa\n"])
def test_any_spacing_or_case_normalises_and_looks_up_the_same(lookup, text):
    assert normalise_postcode(text) == "SW1A 1AA"
    assert looks_like_postcode(text)
    assert lookup.lookup(text) == lookup.lookup("SW1A 1AA")


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("m11ae", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr26xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("w1a0ax", "W1A 0AX"),
        ("ec1a1bb", "EC1A 1BB"),
    ],
)
def test_every_outward_form_is_accepted(text, canonical):
    assert normalise_postcode(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "SW1A",
        "SW1A 1A",
        "12345",
        "Q1 1AA",
        "V1 1AA",
        "X1 1AA",
        "AI1 1AA",
        "AZ1 1AA",
        "SW1A 1AC",
        "SW1A 1IA",
        "SW1A 1AK",
        "SW1A 1MA",
        "SW1A 1AO",
        "SW1A 1VA",
        "W1I 1AA",
        "SW1C 1AA",
        "SW1A 1AA1",
        "SW1A 1AAA",
        "x" * 10_000,
        "SW1A\x001AA",
        "SW1A\t1AA",
        "SW1A\n1AA",
        "\x1b[31mSW1A 1AA",
        "ＳＷ１Ａ １ＡＡ",
        "SW1А 1АА",
        "ЅW1A 1AA",
        "SW1A 1AA\u200b",
        "SW1A_1AA",
        "SW1A-1AA",
        "'; import os #",
        "$(id)",
        "{{7*7}}",
        "<script>",
        "../../etc/passwd",
        "DROP TABLE seats;",
    ],
)
def test_malformed_input_raises_one_clear_error_naming_it(text):
    with pytest.raises(PostcodeError) as error:
        normalise_postcode(text)
    message = str(error.value)
    assert repr(text)[:21] in message  # what was typed, quoted (a long text cut short)
    assert "SW1A 1AA" in message and "\n" not in message and len(message) < 300


def test_non_text_raises_postcode_error():
    with pytest.raises(PostcodeError, match="must be text"):
        normalise_postcode(None)


def test_northern_ireland_is_refused_with_a_pointer_to_the_seat_name(lookup):
    with pytest.raises(PostcodeError, match="BT1 1AA is in Northern Ireland.*give the seat name"):
        lookup.lookup("bt1 1aa")


@pytest.mark.parametrize(
    "postcode, reason",
    [
        ("GY1 1AA", "Channel Islands"),
        ("JE2 3AA", "Channel Islands"),
        ("IM1 1AA", "Isle of Man"),
        ("BF1 3AA", "BFPO"),
        ("BFPO 123", "BFPO"),
        ("GIR 0AA", "Girobank"),
    ],
)
def test_places_outside_the_lookup_are_refused_by_name(lookup, postcode, reason):
    with pytest.raises(PostcodeError, match=reason):
        lookup.lookup(postcode)


@pytest.mark.parametrize(
    "postcode",
    [
        "ZZ9 9ZZ",
        "XX1 1AA",  # fail the format: Z is never second, X never first
        "ZY9 9AA",
        "AA1 1AA",
        "A1 1AA",
        "YY12 3AB",  # well-formed, but no such postcode area
        "B1 1AA",
        "IV1 1AA",  # below the first real postcode of their area (B1 1AY, IV1 1AD)
    ],
)
def test_postcodes_that_cannot_exist_never_return_a_seat(lookup, postcode):
    with pytest.raises(PostcodeError, match="cannot|not a valid"):
        lookup.lookup(postcode)


def test_range_without_a_constituency_is_refused(lookup):
    with pytest.raises(PostcodeError, match="no constituency"):
        lookup.lookup("SR43 2AA")  # a non-geographic Sunderland district


@pytest.mark.parametrize(
    "text",
    ["SW1A 1AA", "sw1a1aa", "BT1 1AA", "ZZ9 9ZZ", "SW1A 1A", "GIR 0AA", "BFPO 1234", "ＳＷ１Ａ １ＡＡ"],
)
def test_postcode_shaped_queries_look_like_postcodes(text):
    assert looks_like_postcode(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hackney South and Shoreditch",
        "Ynys Môn",
        "Bath",
        "12345",
        "SW1A",
        "A1BC",
        "E14001063",
        "",
        "x" * 10_000,
        "Orkney and Shetland",
    ],
)
def test_seat_names_and_codes_do_not_look_like_postcodes(text):
    assert not looks_like_postcode(text)


def test_csv_round_trip_gives_the_same_answers(frame, lookup, tmp_path):
    path = tmp_path / "postcode_ranges.csv"
    frame.to_csv(path, index=False)
    from_csv = PostcodeLookup.from_csv(path)
    for postcode in ("SW1A 1AA", "M1 1AE", "LL65 1AA"):
        assert from_csv.lookup(postcode) == lookup.lookup(postcode)
    with pytest.raises(PostcodeError, match="no constituency"):
        from_csv.lookup("SR43 2AA")


def test_damaged_tables_raise_data_file_error(frame, tmp_path):
    with pytest.raises(DataFileError):
        PostcodeLookup(frame.iloc[::-1])
    with pytest.raises(DataFileError):
        PostcodeLookup(frame.rename(columns={"gss_code": "code"}))
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(DataFileError):
        decode_range_lookup(tmp_path / "bad.json", SEATS_JSON)


near_postcodes = st.from_regex(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}", fullmatch=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(), near_postcodes))
def test_any_text_gives_a_seat_code_or_a_postcode_error(lookup, text):
    for call in (normalise_postcode, lookup.lookup):
        try:
            result = call(text)
        except PostcodeError as error:
            assert "\n" not in str(error)
        else:
            assert isinstance(result, str)
    assert isinstance(looks_like_postcode(text), bool)
