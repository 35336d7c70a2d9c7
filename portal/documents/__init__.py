"""A version's files made ready for the browser: sections, differences, Word comments,
Data Docs and the quality result."""
