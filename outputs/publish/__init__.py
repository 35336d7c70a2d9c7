"""Publishing a run: atomic version directories (``versions``), their manifests
(``manifest``), ``indicators.csv`` (``indicators_csv``) and what moved between two
versions (``changes``)."""
