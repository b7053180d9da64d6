"""The data: raw public files in, curated tables out (``build.py data``), and loading them checked."""
