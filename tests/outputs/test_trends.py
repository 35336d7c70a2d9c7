"""Tests for outputs.text.trends: the other crime categories' five-year trends by theme."""

from __future__ import annotations

from outputs.text.sentences import load_sentences
from outputs.text.trends import trend_sentences


def _row(indicator: str, pct: float, low: float, high: float, source: str = "bra") -> dict:
    return dict(source=source, indicator=indicator, trend_pct=pct, trend_ci_low=low,
                trend_ci_high=high)  # fmt: skip


def test_significant_trends_are_worded_together_and_the_total_is_left_out() -> None:
    words = load_sentences()
    rows = [_row("3-7 kap. Brott mot person", 1.3, 0.47, 2.14),
            _row("4 kap. Brott mot frihet och frid", 2.74, 1.53, 3.97),
            _row("Samtliga brott", 0.5, -4.4, 5.6),
            _row("6 kap. Sexualbrott", 0.49, -2.56, 3.63)]  # fmt: skip
    (sentence,) = trend_sentences(words, rows, year=2022, flat=False)
    assert sentence == (
        "Sett över fem år (2018–2022) visar anmälda brott inom kategorierna brott mot "
        "person (3–7 kap.) och brott mot frihet och frid (4 kap.) en ökande trend, "
        "i genomsnitt 1,3\u00a0% respektive 2,7\u00a0% fler per år."
    )
    assert "sexualbrott" not in sentence and "samtliga" not in sentence.lower()


def test_flat_trends_are_said_once_for_a_theme_and_only_when_asked() -> None:
    words = load_sentences()
    rows = [_row("3 kap. Brott mot liv och hälsa", -0.61, -1.96, 0.76),
            _row("därav misshandel inkl. grov", -0.65, -2.16, 0.88)]  # fmt: skip
    assert trend_sentences(words, rows, year=2022, flat=False) == []
    (sentence,) = trend_sentences(words, rows, year=2022, flat=True)
    assert sentence == (
        "Sett över fem år (2018–2022) visar ingen av kategorierna brott mot liv "
        "och hälsa (3 kap.) eller misshandel inkl. grov någon säker trend."
    )


def test_one_category_quotes_its_interval_and_the_police_are_named() -> None:
    words = load_sentences()
    (down,) = trend_sentences(words, [_row("Narkotikabrott", -4.1, -8.0, -0.3)], year=2023,
                              flat=True)  # fmt: skip
    assert down.startswith(
        "Sett över fem år (2019–2023) visar anmälda brott inom kategorin "
        "narkotikabrott en minskande trend, i genomsnitt 4,1\u00a0% färre"
    )
    assert "(95\u00a0% konfidensintervall −8,0\u00a0% till −0,3\u00a0%)" in down
    (police,) = trend_sentences(words, [_row("Rån inkl. grovt", 4.1, 0.34, 8.0, "polis")],
                                year=2022, flat=False)  # fmt: skip
    assert "rån inkl. grovt enligt polisens statistik en ökande trend" in police
    assert trend_sentences(words, [dict(source="bra", indicator="Narkotikabrott")], year=2022,
                           flat=True) == []  # fmt: skip
