"""Shared test set-up: keep matplotlib, IPython and Jupyter out of the real $HOME."""

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="npd-briefing-test-home-")
for _var, _sub in (("HOME", ""), ("MPLCONFIGDIR", "mpl"), ("IPYTHONDIR", "ipython"),
                   ("JUPYTER_CONFIG_DIR", "jupyter"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                   ("JUPYTER_RUNTIME_DIR", "jupyter-runtime")):
    os.environ[_var] = os.path.join(_HOME, _sub) if _sub else _HOME
    os.makedirs(os.environ[_var], exist_ok=True)
