"""The two analysis notebooks run top to bottom under papermill on the real curated data.

Each chart must arrive as an <img> with alt text (display_figure's HTML figure), never as a bare
PNG; committed notebooks carry no outputs; unknown parameters and local authorities are refused.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # inherited by the kernels papermill starts

import nbformat  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from npd_briefing.config import NOTEBOOKS_DIR  # noqa: E402
from npd_briefing.evidence import analysis
from npd_briefing.exceptions import ParameterError  # noqa: E402
from npd_briefing.pipeline.notebook import execute_notebook  # noqa: E402

NPD_SCOPE = NOTEBOOKS_DIR / "npd_scope.ipynb"
AP_CENSUS = NOTEBOOKS_DIR / "ap_census.ipynb"
NPD_CHARTS, REGISTER_CHARTS, AP_CHARTS = 6, 3, 5


def images(nb) -> list[str]:
    """The alt text of every image the notebook output, failing on errors and bare PNGs."""
    alts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{output.get('ename')}: {output.get('evalue')}"
            data = output.get("data", {})
            assert "image/png" not in data, "a chart was shown without alt text (use display_figure)"
            for img in BeautifulSoup(data.get("text/html", ""), "html.parser").find_all("img"):
                alts.append(img.get("alt", ""))
    return alts


@pytest.fixture(scope="module")
def register_fixture(tmp_path_factory):
    path = tmp_path_factory.mktemp("register") / "register_fixture.csv"  # a fixture, never evidence
    path.write_text(
        "Organisation name,Project title,Tier,Date of release,Sector\n"
        "Fixture Org A,Project A,Tier 1,2014-03-01,Commercial\n"
        "Fixture Org B,Project B,Tier 2,2016-05-02,Academic\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("path", [NPD_SCOPE, AP_CENSUS], ids=lambda p: p.name)
def test_committed_notebook_is_thin_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "parameters" in nb.cells[1].metadata.get("tags", [])
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "def " not in cell.source and "class " not in cell.source  # logic lives in the package


def test_npd_scope_default_shows_every_chart_with_alt_text():
    alts = images(execute_notebook(NPD_SCOPE, {}))
    assert len(alts) == NPD_CHARTS and all(alt.strip() for alt in alts)


def test_npd_scope_charts_a_supplied_register(register_fixture):
    nb = execute_notebook(NPD_SCOPE, {"register_path": str(register_fixture)})
    alts = images(nb)
    assert len(alts) == NPD_CHARTS + REGISTER_CHARTS and all(alt.strip() for alt in alts)
    assert "Commercial 1" in alts[-2]


@pytest.mark.parametrize(
    "la, name",
    [(None, "Derbyshire"), ("North Northamptonshire", "North Northamptonshire"), ("855", "Leicestershire")],
)
def test_ap_census_for_default_and_other_las(la, name):
    nb = execute_notebook(AP_CENSUS, {} if la is None else {"la": la})
    alts = images(nb)
    assert len(alts) == AP_CHARTS and all(alt.strip() for alt in alts)
    assert sum(name in alt for alt in alts) >= 3  # LA trend, ranking and school-arranged chart


def test_unknown_parameter_is_rejected_before_running():
    with pytest.raises(ParameterError, match="'seat'.*valid: la"):
        execute_notebook(AP_CENSUS, {"seat": "Derbyshire"})


def test_unknown_la_names_close_matches():
    with pytest.raises(ParameterError, match="Derbysire.*Derbyshire \\(830\\)"):
        analysis.resolve_la("Derbysire")
