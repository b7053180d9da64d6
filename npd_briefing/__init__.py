"""Evidence and briefing pack on children's privacy in England's school data.

Logic for the curated data, the seat resolver, charts and briefings lives here; the notebooks and
``build.py`` only call into it.
"""

__version__ = "0.1.0"
