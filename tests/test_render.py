"""The render chain on a small notebook made here: parameters, execution, HTML, PDF, warm kernel."""

import ast
import base64
import getpass
import os
import re
import urllib.request
from html.parser import HTMLParser

import nbformat
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from papermill.parameterize import parameterize_notebook

from npd_briefing import __version__
from npd_briefing.pipeline import render
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.exceptions import NotebookExecutionError, OutputError, ParameterError

INJECTION = "'; import os # $(id) {{7*7}} \"\"\" \\\" \\n <script>alert(1)</script> Ynys Môn"
TITLE = "Briefing for a test seat"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
# A 1x1 PNG, for inline and on-disk images.
PNG_1PX = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")

FIXTURE_CELLS = [
    "import html, os, sys\n"
    "import matplotlib.pyplot as plt\n"
    "from IPython.display import HTML, Markdown, display\n"
    "from npd_briefing.evidence.figures import display_figure",
    # The warm-kernel test reads these lines back.
    "print('seen before:', globals().get('last_seat'))\n"
    "print('seat repr:', repr(seat))\n"
    "print('pid:', os.getpid())\n"
    "print('cwd:', os.getcwd())\n"
    "print('a library warning', file=sys.stderr)\n"
    "last_seat = seat",
    "display(HTML(f'<h2>Briefing for {html.escape(seat)}</h2>'))\n"
    "display(Markdown(f'In **{year}** the share was {share:.0%}.'))",
    # pyplot on purpose: display_figure must close it, or the inline backend adds a bare PNG.
    "fig, ax = plt.subplots(figsize=(6, 3))\n"
    "ax.bar(['2019', '2023'], [1, 2])\n"
    "display_figure(fig, alt='Bar chart: requests doubled from 2019 to 2023', source='Test data')",
]


def write_notebook(path, code_cells, parameters_source=None):
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    nb.cells.append(new_markdown_cell(f"# {TITLE}"))
    if parameters_source is not None:
        cell = new_code_cell(parameters_source)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(new_code_cell(source) for source in code_cells)
    nbformat.write(nb, path)
    return path


PARAMETERS = 'seat = "Bridlington and The Wolds"\nyear: int = 2023\nshare = 0.25\nnote = None\n'


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory):
    return write_notebook(tmp_path_factory.mktemp("nb") / "fixture.ipynb", FIXTURE_CELLS, PARAMETERS)


@pytest.fixture(scope="module")
def executed(notebook_path):
    return render.execute_notebook(notebook_path, {"seat": INJECTION, "year": 2024})


@pytest.fixture(scope="module")
def page(executed):
    return render.notebook_to_html(executed, title=TITLE)


@pytest.fixture(scope="module")
def pdf_path(page, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "briefing.pdf"
    render.html_to_pdf(page, path, title=TITLE)
    return path


def stdout_lines(nb):
    return [line for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
            if output.output_type == "stream" and output.name == "stdout"
            for line in output.text.splitlines()]


class TagCollector(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.tags = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def attrs_of(self, name):
        return [attrs for tag, attrs in self.tags if tag == name]


# Parameters


def test_notebook_parameters_are_the_declared_literals(notebook_path):
    assert render.notebook_parameters(notebook_path) == {
        "seat": "Bridlington and The Wolds", "year": 2023, "share": 0.25, "note": None}


def test_unknown_parameter_names_it_and_lists_the_valid_ones(notebook_path):
    with pytest.raises(ParameterError) as error:
        render.validate_parameters(notebook_path, {"seat": "x", "constituncy": "y",
                                                   "x = 1\nimport os; y": 1})
    message = str(error.value)
    assert "'constituncy'" in message and "import os" in message
    assert "valid: note, seat, share, year" in message


@pytest.mark.parametrize("params", [{"seat": 42}, {"year": "2023"}, {"year": True}, {"year": 2023.0},
                                    {"share": "0.5"}, {"note": object()}, {"seat": ["a"]}])
def test_a_value_unlike_the_default_is_refused(notebook_path, params):
    with pytest.raises(ParameterError, match=next(iter(params))):
        render.validate_parameters(notebook_path, params)


def test_values_like_the_default_are_accepted(notebook_path):
    render.validate_parameters(notebook_path, {"seat": "", "year": 1, "share": 1, "note": "n"})


@pytest.mark.parametrize("name", ["year", "note"])
def test_subclassed_values_are_refused_because_papermill_writes_them_with_str(notebook_path, name):
    class Sneaky(int):
        def __str__(self):
            return "0; import os"

    with pytest.raises(ParameterError, match=name):
        render.validate_parameters(notebook_path, {name: Sneaky(1)})


@pytest.mark.parametrize("source, problem", [
    (None, "found 0"),
    ("seat = 'a'\nseat2 = f'{seat}'", "not a literal"),
    ("seat = 'a'\nprint(seat)", "not a simple"),
    ("%matplotlib inline\nseat = 'a'", "not plain Python"),
])
def test_the_parameters_cell_must_be_one_cell_of_literal_assignments(tmp_path, source, problem):
    path = write_notebook(tmp_path / "bad.ipynb", [], source)
    with pytest.raises(ParameterError, match=problem):
        render.notebook_parameters(path)


def test_two_parameters_cells_are_refused(tmp_path):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    for cell in nb.cells:
        cell.metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "two.ipynb")
    with pytest.raises(ParameterError, match="found 2"):
        render.notebook_parameters(tmp_path / "two.ipynb")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_papermill_injects_any_string_as_a_literal(text):
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC}, cells=[new_code_cell("seat = ''")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["papermill"] = {}
    injected = parameterize_notebook(nb, {"seat": text}, kernel_name="python3", language="python")
    statements = ast.parse(injected.cells[1].source).body
    assert len(statements) == 1 and isinstance(statements[0], ast.Assign)
    assert ast.literal_eval(statements[0].value) == text


# Execution


def test_injection_strings_run_as_plain_text(executed):
    lines = stdout_lines(executed)
    assert f"seat repr: {INJECTION!r}" in lines
    outputs = nbformat.writes(executed)
    assert "uid=" not in outputs  # $(id) was not run by a shell
    assert "Briefing for" in outputs and "{{7*7}}" in outputs


def test_notebook_runs_in_its_own_folder(executed, notebook_path):
    assert f"cwd: {notebook_path.parent}" in stdout_lines(executed)


def test_a_failing_cell_raises_notebook_execution_error(tmp_path):
    path = write_notebook(tmp_path / "fails.ipynb", ["raise ValueError('bad row in table')"], "seat = ''")
    with pytest.raises(NotebookExecutionError, match="fails.ipynb.*ValueError: bad row in table"):
        render.execute_notebook(path, {"seat": "x"})


# HTML


def test_html_is_a_complete_document_in_british_english(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert f"<title>{TITLE}</title>" in page
    assert f'<meta name="generator" content="npd_briefing {__version__}">' in page
    assert "@page" in page and "counter(pages)" in page and f"npd_briefing {__version__}" in page


def test_html_has_outputs_but_no_code_scripts_or_warnings(page):
    assert "<script" not in page.lower()
    assert "display_figure(" not in page and "import html" not in page and "In&nbsp;[" not in page
    assert "a library warning" not in page
    assert "Briefing for &#x27;; import os" in page or "Briefing for '; import os" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "In <strong>2024</strong> the share was 25%." in page


def test_every_image_has_alt_text_and_an_inline_source(page):
    images = TagCollector(page).attrs_of("img")
    assert len(images) == 1
    for image in images:
        assert image.get("alt", "").strip()
        assert image["src"].startswith("data:image/png;base64,")
    assert "Source: Test data</figcaption>" in page


def resource_urls(page):
    urls = []
    for tag, attrs in TagCollector(page).tags:
        for name in ("src", "srcset", "poster", "data", "action"):
            if attrs.get(name):
                urls.append(attrs[name])
        if tag != "a" and attrs.get("href"):
            urls.append(attrs["href"])
    urls.extend(re.findall(r"url\(\s*['\"]?([^'\")]*)", page))
    urls.extend(re.findall(r"@import\s+['\"]?([^'\";]*)", page))
    return urls


def test_html_references_no_remote_resource(page):
    assert all(url.startswith(("data:", "#")) for url in resource_urls(page))


def test_foreign_markup_in_outputs_is_made_offline():
    hostile = ('<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
               'href="https://cdn.example/x.css"><iframe src="https://example.com"></iframe>'
               '<style>@import "https://cdn.example/y.css"; p { background: url(http://x/y.png) }</style>'
               '<p style="background:url(https://x/z.png)" onclick="steal()">text</p>'
               '<img src="https://tracker.example/pixel.png" alt="pixel">'
               '<a href="https://www.gov.uk/npd">NPD</a><a href="javascript:steal()">bad</a>'
               '<svg><defs><path id="g" d="M0 0"/></defs><use href="#g" style="clip-path: url(#c)"/></svg>')
    nb = new_notebook(cells=[new_markdown_cell("![a remote picture](http://example.com/p.png)"),
                             new_code_cell("", outputs=[new_output("display_data",
                                                                   data={"text/html": hostile})])])
    page = render.notebook_to_html(nb, title='a title with </style><script>x</script> "quotes"')
    assert "<script" not in page and "<iframe" not in page and "onclick" not in page
    assert page.split("</head>")[0].count("</style>") == 1  # the title stayed inside its string
    assert all(url.startswith(("data:", "#")) for url in resource_urls(page))
    assert "example" not in page.replace('href="https://www.gov.uk/npd"', "")
    assert '<a href="https://www.gov.uk/npd">NPD</a>' in page  # links stay: they are not fetched
    assert 'alt="pixel"' in page and 'alt="a remote picture"' in page
    assert '<use href="#g" style="clip-path: url(#c)">' in page  # same-page references stay


def test_an_image_without_alt_text_is_refused():
    png = base64.b64encode(PNG_1PX).decode()
    nb = new_notebook(cells=[new_code_cell("", outputs=[new_output("display_data",
                                                                   data={"image/png": png})])])
    with pytest.raises(ValueError, match="alt text"):
        render.notebook_to_html(nb, title="t")


# PDF


def test_pdf_is_a4_with_extractable_text_and_the_title(pdf_path):
    reader = pypdf.PdfReader(pdf_path)
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1
        assert abs(float(page.mediabox.height) - 842) <= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE in text and "{{7*7}}" in text and "Source: Test data" in text
    assert f"npd_briefing {__version__}" in text and "Page 1 of" in text


def test_pdf_metadata_has_title_and_language_and_nothing_personal(pdf_path, tmp_path):
    reader = pypdf.PdfReader(pdf_path)
    metadata = dict(reader.metadata)
    assert metadata["/Title"] == TITLE
    assert metadata["/Creator"] == f"npd_briefing {__version__}"
    assert "/Author" not in metadata
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    private = [str(pdf_path.parent), str(tmp_path), os.environ["HOME"], getpass.getuser()]
    for value in metadata.values():
        assert not any(secret in str(value) for secret in private), value


def test_pdf_embeds_its_fonts(pdf_path):
    reader = pypdf.PdfReader(pdf_path)
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                      if "/DescendantFonts" in font else font["/FontDescriptor"])
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())


def test_pdf_is_tagged_with_the_chart_alt_text(pdf_path):
    def figure_alts(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                yield from figure_alts(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                yield node.get("/Alt")
            if "/K" in node:
                yield from figure_alts(node["/K"])

    tree = pypdf.PdfReader(pdf_path).trailer["/Root"]["/StructTreeRoot"]
    assert list(figure_alts(tree)) == ["Bar chart: requests doubled from 2019 to 2023"]


@pytest.fixture
def opened_urls(monkeypatch):
    """Every URL WeasyPrint's fetcher actually opens (it opens through urllib)."""
    opened = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(url.full_url if isinstance(url, urllib.request.Request) else url)
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    return opened


def test_only_data_urls_and_pack_templates_are_fetched(tmp_path, opened_urls):
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_1PX)
    inline = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    refused = ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/x.png",
               outside.as_uri(), f"{TEMPLATES_DIR.as_uri()}/../../npd_briefing/__init__.py"]
    page = ('<!DOCTYPE html><html lang="en-GB"><head><title>t</title>'
            '<link rel="stylesheet" href="https://cdn.example/x.css">'
            '<link rel="stylesheet" href="briefing.css"></head><body><p>Words.</p>'
            + "".join(f'<img src="{url}" alt="refused">' for url in refused)
            + f'<img src="{inline}" alt="inline"></body></html>')
    render.html_to_pdf(page, tmp_path / "out.pdf", title="t")
    assert pypdf.PdfReader(tmp_path / "out.pdf").pages
    assert sorted(opened_urls) == sorted([inline, (TEMPLATES_DIR / "briefing.css").as_uri()])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/", "ftp://example.com/x"])
def test_the_fetcher_refuses_before_opening(url, opened_urls):
    with pytest.raises(ValueError):
        render.PackAssetsFetcher()(url)
    assert opened_urls == []


def test_an_output_folder_that_cannot_be_created_raises_output_error(tmp_path, page):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(OutputError, match=re.escape(str(blocker / "out"))):
        render.html_to_pdf(page, blocker / "out" / "b.pdf", title=TITLE)
    assert not (blocker / "out").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_a_read_only_output_folder_raises_output_error(tmp_path, page):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    with pytest.raises(OutputError, match=re.escape(str(folder))):
        render.html_to_pdf(page, folder / "b.pdf", title=TITLE)
    assert list(folder.iterdir()) == []


def test_a_failed_write_leaves_the_old_pdf_and_no_partial_file(tmp_path, page, monkeypatch):
    target = tmp_path / "b.pdf"
    target.write_bytes(b"old")

    def fail(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(render.os, "replace", fail)
    with pytest.raises(OutputError, match="Permission denied"):
        render.html_to_pdf(page, target, title=TITLE)
    assert [path.name for path in tmp_path.iterdir()] == ["b.pdf"]
    assert target.read_bytes() == b"old"


# Warm kernel


def run_lines(nb, prefix):
    return [line.removeprefix(prefix) for line in stdout_lines(nb) if line.startswith(prefix)]


def test_warm_kernel_keeps_the_process_but_not_the_variables(notebook_path, tmp_path):
    failing = write_notebook(tmp_path / "fails.ipynb", ["raise KeyError('no such seat')"], "seat = ''")
    with render.WarmKernel() as kernel:
        first = render.execute_notebook(notebook_path, {"seat": "Ynys Môn"}, kernel=kernel)
        second = render.execute_notebook(notebook_path, {"seat": "Orkney and Shetland"}, kernel=kernel)
        with pytest.raises(NotebookExecutionError, match="KeyError"):
            render.execute_notebook(failing, {"seat": "x"}, kernel=kernel)
        after_failure = render.execute_notebook(notebook_path, {}, kernel=kernel)
    assert run_lines(first, "seat repr: ") == ["'Ynys Môn'"]
    assert run_lines(second, "seat repr: ") == ["'Orkney and Shetland'"]
    assert run_lines(after_failure, "seat repr: ") == ["'Bridlington and The Wolds'"]
    for nb in (first, second, after_failure):
        assert run_lines(nb, "seen before: ") == ["None"]
        assert run_lines(nb, "cwd: ") == [str(notebook_path.parent)]
    assert run_lines(first, "pid: ") == run_lines(second, "pid: ")
    assert run_lines(after_failure, "pid: ") != run_lines(second, "pid: ")
    assert render.notebook_to_html(second, title=TITLE).count("<img") == 1


def test_warm_kernel_is_replaced_every_restart_every_runs(notebook_path):
    with render.WarmKernel(restart_every=1) as kernel:
        pids = [run_lines(render.execute_notebook(notebook_path, {}, kernel=kernel), "pid: ")
                for _ in range(2)]
    assert pids[0] != pids[1]


def test_warm_kernel_validates_parameters_too(notebook_path):
    with pytest.raises(ParameterError, match="constituncy"):
        render.execute_notebook(notebook_path, {"constituncy": "x"}, kernel=object())
