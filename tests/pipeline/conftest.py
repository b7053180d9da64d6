"""The pipeline's tests run a small notebook made here through every stage: parameters, execution
(papermill and a warm kernel), HTML and PDF. These fixtures make it once per session."""

from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from npd_briefing.pipeline.html import notebook_to_html
from npd_briefing.pipeline.notebook import execute_notebook
from npd_briefing.pipeline.pdf import html_to_pdf_bytes

INJECTION = '\'; import os # $(id) {{7*7}} """ \\" \\n <script>alert(1)</script> Ynys Môn'
TITLE = "Briefing for a test seat"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


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


@pytest.fixture(scope="session")
def notebook_path(tmp_path_factory):
    return write_notebook(tmp_path_factory.mktemp("nb") / "fixture.ipynb", FIXTURE_CELLS, PARAMETERS)


@pytest.fixture(scope="session")
def executed(notebook_path):
    return execute_notebook(notebook_path, {"seat": INJECTION, "year": 2024})


@pytest.fixture(scope="session")
def page(executed):
    return notebook_to_html(executed, title=TITLE)


@pytest.fixture(scope="session")
def pdf_path(page, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "briefing.pdf"
    path.write_bytes(html_to_pdf_bytes(page, title=TITLE))
    return path


def stdout_lines(nb):
    return [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
        for line in output.text.splitlines()
    ]


class TagCollector(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.tags = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def attrs_of(self, name):
        return [attrs for tag, attrs in self.tags if tag == name]
