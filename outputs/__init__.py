"""Everything a run hands to people: the Word draft, its PDF and the published version.

``swedish`` formats numbers and dates; ``text`` words the Swedish sentences; ``draft``
composes (``draft.content``) and writes (``draft.word``) the Word draft; ``pdf`` renders it;
``publish`` writes version directories, manifests and ``indicators.csv``.
"""
