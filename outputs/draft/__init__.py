"""The Word draft: ``content`` composes what it says, ``word`` writes the .docx.

``content`` turns indicators, people's text (editorial, åtgärdsplan) and the report
configuration into a ``DraftContext``; ``word`` prints a ``DraftContext`` into the
template (``word.writer.write_draft``). ``word`` reads ``content``, never the reverse.
"""
