"""lagesbild: the yearly lokal lägesbild of a Stockholm district, as a reproducible pipeline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
