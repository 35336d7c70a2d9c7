"""The Word writer: prints a ``DraftContext`` into the .docx template.

``writer.write_draft`` writes the file; ``front`` the title page and opening, ``layout``
the headings in order, ``sections`` the body, ``summary`` and ``tables`` the tables,
``charts`` the figures, ``action_plan`` and ``changes_section`` the closing appendices;
``ooxml`` the Word format itself (template, fields, footnotes).
"""
