"""The evidence: figures, charts and the briefing's sections. Runs inside the notebook kernel, so it
imports nothing from :mod:`npd_briefing.pipeline` and none of the notebook or PDF toolchain."""
