"""Errors a person can cause by what they type or give the pack.

Each carries one clear message naming the input and what would be valid; the CLI prints it on one
line to stderr and exits with ``exit_code``.
"""


class PackError(Exception):
    """Base class: a problem with the user's input or data, not a bug in the pack."""

    exit_code = 2


class UnknownSeatError(PackError):
    """A query that names no seat (or more than one)."""


class PostcodeError(PackError):
    """A postcode that is malformed, cannot exist, or lies outside the lookup's coverage."""


class DataFileError(PackError):
    """A curated table that is missing, truncated, altered or of the wrong shape."""


class LetterTemplateError(PackError):
    """A letter file that cannot be read or uses placeholders the pack does not know."""


class ParameterError(PackError):
    """A notebook parameter that the notebook does not declare, or of the wrong type."""


class OutputError(PackError):
    """An output folder that cannot be created or written."""


class SiteOptionError(PackError):
    """A ``build.py site`` option that is not valid, such as a base URL that is not a web address."""


class NotebookExecutionError(RuntimeError):
    """A cell that raised while a briefing notebook ran.

    Not a PackError: the person's input was already validated, so this is a pack bug or a data
    fault, and it should surface with its traceback rather than as a one-line usage message.
    """
