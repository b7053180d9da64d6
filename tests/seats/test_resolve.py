"""The seat resolver on the real curated data, and `build.py resolve` as a person runs it."""

import pytest

from npd_briefing.exceptions import PackError, PostcodeError, UnknownSeatError
from npd_briefing.seats.resolve import resolve
from npd_briefing.text import fold_name
from tests.conftest import run_build


@pytest.mark.parametrize(
    "query, code",
    [
        ("E14001063", "E14001063"),
        ("e14001063", "E14001063"),
        ("Aldershot", "E14001063"),
        ("ynys mon", "W07000112"),
        ("Ynys Môn", "W07000112"),
        ("YNYS  MÔN", "W07000112"),
        ("Bridlington and The Wolds", "E14001127"),
        ("bridlington and the wolds", "E14001127"),
        ("Bridlington & the Wolds", "E14001127"),
        ("Hackney South and Shoreditch", "E14001260"),
        ("Aldridge Brownhills", "E14001064"),
    ],
)
def test_codes_and_names_in_any_case_accent_and_punctuation(query, code):
    assert resolve(query).gss_code == code


def test_welsh_name_resolves():
    seat = resolve("Ynys Môn")
    assert seat.nation == "Wales" and seat.mp_display_name


@pytest.mark.parametrize(
    "query, seat_name",
    [
        ("SW1A 1AA", "Cities of London and Westminster"),
        ("sw1a1aa", "Cities of London and Westminster"),
        (" Sw1A   1aA ", "Cities of London and Westminster"),
        ("M1 1AE", "Manchester Central"),
        ("CF10 1EP", "Cardiff South and Penarth"),
        ("EH1 1YZ", "Edinburgh East and Musselburgh"),
    ],
)
def test_postcodes_in_any_spacing_or_case(query, seat_name):
    assert resolve(query).name == seat_name


def test_northern_irish_postcode_says_not_covered_and_asks_for_the_seat_name():
    with pytest.raises(PostcodeError, match="(?i)northern ireland.*seat name|seat name.*northern ireland"):
        resolve("BT1 1AA")


@pytest.mark.parametrize("query", ["ZZ9 9ZZ", "SW1A 1A", "QQ1 1AA"])
def test_impossible_or_malformed_postcodes_never_return_a_seat(query):
    with pytest.raises(PackError):
        resolve(query)


def test_misspelt_name_suggests_the_closest_seats():
    with pytest.raises(UnknownSeatError, match="(?i)did you mean: .*Bridlington and the Wolds"):
        resolve("Bridlingtn and the Wolds")


def test_partial_name_with_one_candidate_fails_with_a_suggestion():
    with pytest.raises(UnknownSeatError, match="did you mean: Ynys Môn"):
        resolve("Ynys")


def test_ambiguous_name_lists_every_candidate():
    with pytest.raises(UnknownSeatError) as error:
        resolve("Hackney")
    message = str(error.value)
    assert "Hackney North and Stoke Newington" in message and "Hackney South and Shoreditch" in message
    assert "matches 2 seats" in message


@pytest.mark.parametrize("query", ["", "   ", "x" * 10_000, "Aldershot\x00", "E14999999", "zzzzzz qqq"])
def test_nonsense_fails_with_one_clear_message(query):
    with pytest.raises(PackError) as error:
        resolve(query)
    assert "\n" not in str(error.value) and len(str(error.value)) < 400


def test_fold_name_ignores_case_accents_and_punctuation():
    assert fold_name("Ynys Môn") == fold_name("YNYS MON") == "ynys mon"
    assert fold_name("Aldridge-Brownhills") == "aldridge brownhills"


def test_cli_resolve_prints_one_tab_separated_line():
    result = run_build("resolve", "ynys mon")
    assert result.returncode == 0
    code, name, mp = result.stdout.rstrip("\n").split("\t")
    assert (code, name) == ("W07000112", "Ynys Môn") and mp
    assert result.stdout.count("\n") == 1


def test_cli_resolve_unknown_exits_2_with_one_stderr_line():
    result = run_build("resolve", "Atlantis")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Atlantis" in result.stderr
