"""The report's indicators: crime, survey, IA and key-figure rows, comparison levels,
trends, and the disclosure control applied to them last."""
