"""Hardening: bad input, faults, and the pack's own privacy, as one tested matrix, a file a row.

Rows (see the README's "Reliability" section for the counts):

1. What people type (``test_typed_input``): queries, sender name and address, dates and letter text
   that are empty, huge, control characters, Unicode look-alikes, or look like code. Through the
   Python functions (most cases, and hypothesis properties) and through ``build.py resolve`` /
   ``build.py brief`` in a subprocess (a few, run side by side). Every case ends in exit 0 or 2, one
   line on stderr for 2, never a traceback; code-like text is only ever text (canary files that an
   executed payload would create never appear).
2. Letter files (``test_letter_files``): unknown placeholders, HTML and scripts, local and remote
   references, not UTF-8, too big, empty, a folder, missing.
3. Data faults (``test_data_faults``): a curated table missing, truncated, altered, with a renamed
   column or a wrong type, or a damaged manifest: one line naming the file and how to rebuild, exit 2,
   nothing written.
4. Process faults (``test_process_faults``): SIGINT / SIGTERM while a briefing renders, an interrupt
   while files are written, a kernel that dies, an output folder that cannot exist.
5. Privacy (``test_privacy``): a real briefing rendered with every non-loopback connection refused in
   both the CLI process and its kernel (a ``sitecustomize`` on PYTHONPATH), and the sender's name and
   address found only in the files asked for.
6. Properties (``test_properties``): hypothesis generates the same kinds of input for rows 1 and 2.

The cases and the checks they share are in ``cases.py``, their fixtures in ``conftest.py``. Costs: one
full briefing render (row 5), two interrupted ones (row 4), one small warm kernel. A file a row lets
the parallel workers share the rows out.
"""
