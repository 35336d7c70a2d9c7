"""The draft's generated Swedish text: sentence templates (Jinja, editable), prose by theme.

``sentences`` renders the snippets of ``outputs/templates/sentences.yaml`` (a district may
give its own file) and counts every use; ``groups`` words survey groups together ("både
pojkar och flickor i årskurs 9"); ``prose`` writes one paragraph per indicator; ``summary``
the one-minute summary; ``narrative`` the change, trend and level sentences and
``significance_wording`` the significance statements and the methods texts, both reading
rows through ``_indicator_row``. Nothing here computes a statistic: every number is a value
of an indicators row.
"""

from outputs.text.sentences import SENTENCES_FILE, Sentences, load_sentences

__all__ = ["SENTENCES_FILE", "Sentences", "load_sentences"]
