"""`build.py site --check DIR`: the built test site passes; a copy of it with one thing broken fails,
exit 2, with that problem named among the first lines."""

import json
import shutil

import pytest
from site_setup import BASE_URL, SITE_SEATS

from npd_briefing.pipeline.request import output_stem
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site.check import BUDGETS, SHOWN_PROBLEMS, check_site
from tests.conftest import run_main

BY_CODE = {seat.gss_code: seat for seat in default_resolver().seats()}
ALDERSHOT = output_stem(BY_CODE["E14001063"])
BRIDGEND = output_stem(BY_CODE["W07000086"])


def test_the_built_site_passes(site_dir):
    code, out, err = run_main(["site", "--check", str(site_dir)])
    assert (code, err) == (0, "") and out.startswith(f"site check: {site_dir} passes")


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _lookup(site):
    return json.loads(next(site.glob("lookup-*.json")).read_text(encoding="utf-8"))


def _write_lookup(site, data) -> None:
    next(site.glob("lookup-*.json")).write_text(json.dumps(data), encoding="utf-8")


def _two_seats_one_name(site) -> None:
    data = _lookup(site)
    data["seats"][1][1] = data["seats"][0][1]
    _write_lookup(site, data)


def _a_seat_left_out(site) -> None:
    data = _lookup(site)
    data["seats"] = [row for row in data["seats"] if row[0] != "S14000021"]
    _write_lookup(site, data)


BREAKAGES = {
    "missing style sheet": (
        lambda site: (site / "static" / "site.css").unlink(),
        "index.html: links to static/site.css, which is not in the site",
    ),
    "missing seat page": (
        lambda site: (site / "seats" / f"{ALDERSHOT}.html").unlink(),
        f"seats/{ALDERSHOT}.html is missing: Aldershot (E14001063) has no page",
    ),
    "missing briefing PDF": (
        lambda site: (site / "briefings" / f"{BRIDGEND}.pdf").unlink(),
        f"seats/{BRIDGEND}.html: links to the PDF ../briefings/{BRIDGEND}.pdf, which is not in the site",
    ),
    "email draft attaching a missing PDF": (
        lambda site: _replace(
            site / "seats" / f"{ALDERSHOT}.html",
            '{"href": "../briefings/national-annex.pdf"',
            '{"href": "../briefings/annex.pdf"',
        ),
        f"seats/{ALDERSHOT}.html: links to the PDF ../briefings/annex.pdf, which is not in the site",
    ),
    "broken link between pages": (
        lambda site: _replace(site / "privacy.html", 'href="methodology.html"', 'href="method.html"'),
        "privacy.html: links to method.html, which is not in the site",
    ),
    "link to a missing part of a page": (
        lambda site: _replace(site / "index.html", 'href="#main"', 'href="#content"'),
        "index.html: links to #content, which is not on the page",
    ),
    "404 page's assets outside the site's path": (
        lambda site: _replace(site / "404.html", "/campaign/site/static/site.css", "/static/site.css"),
        "404.html: links to /static/site.css, which is not in the site",
    ),
    "missing 404 page": (
        lambda site: (site / "404.html").unlink(),
        "404.html is missing",
    ),
    "sitemap lists a missing page": (
        lambda site: _replace(
            site / "sitemap.xml", "</urlset>", f"<url><loc>{BASE_URL}gone.html</loc></url></urlset>"
        ),
        f"sitemap.xml: lists {BASE_URL}gone.html, which is not a page of this site",
    ),
    "seat finder answers a name with two seats": (
        _two_seats_one_name,
        "the seat finder answers",
    ),
    "seat finder without a seat": (
        _a_seat_left_out,
        "seat East Renfrewshire (S14000021) is not in the seat finder",
    ),
    "missing lookup file": (
        lambda site: next(site.glob("lookup-*.json")).unlink(),
        "index.html: links to lookup-",
    ),
    "page over its budget": (
        lambda site: _replace(
            site / "privacy.html", "</body>", "<!--" + "x" * BUDGETS["page"].limit + "--></body>"
        ),
        "privacy.html: weighs ",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_site_fails_naming_the_problem(site_dir, tmp_path, breakage):
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    damage, named = BREAKAGES[breakage]
    damage(site)
    code, out, err = run_main(["site", "--check", str(site)])
    lines = err.splitlines()
    assert code == 2 and out == "" and lines[0].startswith("site check: ")
    assert len(lines) <= 1 + SHOWN_PROBLEMS + 1
    assert any(named in line for line in lines[1:]), err


def test_not_a_site_is_one_line(tmp_path):
    code, out, err = run_main(["site", "--check", str(tmp_path)])
    assert code == 2 and err.count("\n") == 2 and "index.html is missing" in err


def test_many_problems_show_the_first_and_count_the_rest(site_dir, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(site_dir, site, ignore=shutil.ignore_patterns("E14*.html"))
    problems = check_site(site)
    assert len(problems) > 500 and len(SITE_SEATS) == 4
    code, _, err = run_main(["site", "--check", str(site)])
    lines = err.splitlines()
    assert code == 2 and lines[0] == f"site check: {len(problems)} problems in {site}:"
    assert lines[1 : 1 + SHOWN_PROBLEMS] == problems[:SHOWN_PROBLEMS]
    assert lines[-1] == f"... and {len(problems) - SHOWN_PROBLEMS} more" and len(lines) == SHOWN_PROBLEMS + 2
