"""The draft as PDF, by LibreOffice (``render.render_pdf``).

``uno_update_indexes.py`` is not imported: ``render`` runs it as a script under the
system Python (python3-uno) to refresh the TOC and page fields before exporting.
"""
