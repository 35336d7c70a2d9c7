"""What the draft says: a ``DraftContext`` composed from indicators and people's text.

``compose`` builds it (headline sentences in ``headlines``, befolkningsfakta in
``population``, Källor in ``kallor``, report.yaml's routing and caveats in
``report_config``); ``editorial`` and ``action_plan`` read the text people write.
Nothing here touches python-docx.
"""
