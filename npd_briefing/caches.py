"""The pack's per-process caches, declared in one place so that one call empties them all.

A kernel or a batch worker reads each curated table, the manifest and the notebook once and builds
what is the same for many seats (the national section, an authority's charts) once. Anything that
swaps the data under a running process (tests, a tool pointing ``config.DATA_DIR`` elsewhere) calls
:func:`clear` afterwards.
"""

import functools

_clearers = []


def per_process(function):
    """``functools.cache`` that :func:`clear` empties."""
    cached = functools.cache(function)
    _clearers.append(cached.cache_clear)
    return cached


def register(clear_function) -> None:
    """Declare a cache kept some other way (a dict handed to a library), by the call that empties it."""
    _clearers.append(clear_function)


def clear() -> None:
    """Empty every cache of this process."""
    for clear_one in _clearers:
        clear_one()
