"""The Word format under the writer: the .docx template (``template``: build, fill, styles),
fields, figures and zip normalising (``fields``), real footnotes (``footnotes``)."""
