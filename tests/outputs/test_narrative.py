"""Tests for text.narrative: the spec's exact Swedish wording and seed-003-like sentences."""

from __future__ import annotations

import math

import pytest

from outputs.swedish import NBSP
from outputs.text.narrative import (
    change_sentence,
    crime_label,
    methods_note,
    place,
    significance_sentence,
    trend_sentence,
)
from outputs.text.sentences import load_sentences
from outputs.text.significance_wording import methods_appendix
from tasks.indicators.build import INDICATOR_COLUMNS as COLUMNS


def _row(**values: object) -> dict:
    row = dict.fromkeys(COLUMNS, math.nan)
    row.update(group="", comparable_series=False, preliminary=False, note="")
    row.update(values)
    return row


def _count(**values: object) -> dict:
    base = dict(
        source="bra", area="sodermalm", indicator="Rån", year=2020, value=298.0, unit="antal",
        rate_per_100k=227.4, prev_year=2019, prev_value=280.0, change_abs=18.0,
        change_rel=18 / 280, method="poisson-exact-cond", p_value=0.46, significant=False,
    )  # fmt: skip
    base.update(values)
    return _row(**base)


def _share(**values: object) -> dict:
    base = dict(
        source="stockholmsenkaten", area="sodermalm", indicator="Utsatt för misshandel",
        group="Åk 9 pojkar", year=2022, value=3.0, unit="procent", prev_year=2020,
        prev_value=7.0, change_abs=-4.0, change_rel=-4 / 7, method="chi2", p_value=0.0004,
        significant=True,
    )  # fmt: skip
    base.update(values)
    return _row(**base)


# ---------------------------------------------------------------- significance_sentence


def test_significant_increase_exact_wording():
    row = _count(p_value=0.036, significant=True)
    assert significance_sentence(row) == (
        "Ökningen är statistiskt signifikant (p\u00a0=\u00a00,036).")


def test_significant_decrease_below_one_in_thousand():
    row = _count(change_abs=-50.0, p_value=0.00002, significant=True)
    assert significance_sentence(row) == (
        "Minskningen är statistiskt signifikant (p\u00a0<\u00a00,001).")


def test_not_significant_exact_wording():
    row = _count(p_value=0.17, significant=False)
    assert significance_sentence(row) == (
        "Förändringen är inte statistiskt signifikant (p\u00a0=\u00a00,17) och kan bero på "
        "slumpmässig "
        "variation."
    )


def test_cannot_be_tested_exact_wording():
    row = _count(value=0.0, prev_value=0.0, change_abs=0.0, method="none", p_value=math.nan,
                 significant=math.nan)  # fmt: skip
    assert significance_sentence(row) == "Förändringen kan inte prövas statistiskt (för få fall)."


def test_verdict_is_the_rows_own_and_p_is_never_one():
    row = _count(p_value=0.012, dispersion=4.2, dispersion_df=12, significant=False,
                 method="quasi-poisson-wald")  # fmt: skip
    assert significance_sentence(row) == (
        "Förändringen är inte statistiskt signifikant (p\u00a0=\u00a00,012) och kan bero på "
        "slumpmässig variation."
    )
    assert "p\u00a0>\u00a00,99" in significance_sentence(_count(p_value=1.0, significant=False))


def test_preliminary_verdict_that_a_one_percent_change_flips_says_so():
    row = _count(p_value=0.045, significant=True, preliminary=True, uncertain=True)
    assert significance_sentence(row) == (
        "Ökningen är statistiskt signifikant (p\u00a0=\u00a00,045). Det är en preliminär "
        "bedömning: en ändring av det preliminära antalet med 1\u00a0% skulle ändra slutsatsen."
    )
    assert "preliminär" not in significance_sentence(_count(p_value=0.045, significant=True,
                                                             uncertain="false"))  # fmt: skip


def test_variation_not_estimated_is_said():
    row = _count(p_value=0.3, significant=False, dispersion=1.0, dispersion_df=0)
    assert "för kort för att skatta den årliga variationen" in significance_sentence(row)


def test_producer_flag_wording():
    yes = _share(method="producer-flag", p_value=math.nan, significant=True)
    no = _share(method="producer-flag", p_value=math.nan, significant="false")  # from the CSV
    assert significance_sentence(yes) == (
        "Enligt undersökningens egen redovisning är förändringen statistiskt signifikant."
    )
    assert significance_sentence(no) == (
        "Enligt undersökningens egen redovisning är förändringen inte statistiskt signifikant."
    )


def test_significant_read_back_from_csv_strings():
    row = _count(p_value="0.036", significant="true")
    assert significance_sentence(row) == (
        "Ökningen är statistiskt signifikant (p\u00a0=\u00a00,036).")


def test_significance_derived_when_column_empty():
    assert significance_sentence(_count(p_value=0.01, significant=None)).startswith(
        "Ökningen är statistiskt signifikant"
    )


# ---------------------------------------------------------------- change_sentence


def test_count_sentence_like_seed_003():
    text = change_sentence(_count(), area_name="Södermalm", plain=True)
    assert text == (
        "Antalet anmälda brott inom kategorin rån på Södermalm har ökat från 280 år 2019 till "
        "298 år 2020 (+6 %), vilket motsvarar 227 brott per 100 000 invånare. Förändringen är "
        "inte statistiskt signifikant (p = 0,46) och kan bero på slumpmässig variation."
    )


def test_count_sentence_groups_thousands_with_nbsp():
    row = _count(
        indicator="Samtliga brott", value=130_189.0, prev_value=120_000.0, change_abs=10_189.0,
        change_rel=10_189 / 120_000, rate_per_100k=30_429.0,
    )  # fmt: skip
    text = change_sentence(row, area_name="Södermalm")
    assert f"130{NBSP}189 år 2020" in text
    assert f"30{NBSP}429 brott per 100{NBSP}000 invånare" in text
    assert text.startswith("Det totala antalet anmälda brott på Södermalm har ökat")
    plain = change_sentence(row, area_name="Södermalm", plain=True)
    assert "130 189" in plain and NBSP not in plain


def test_count_decrease_and_preliminary():
    row = _count(value=250.0, change_abs=-30.0, change_rel=-30 / 280, preliminary=True)
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert "har minskat från 280 år 2019 till 250 år 2020 (−11 %; preliminära siffror)" in text


def test_count_small_change_is_unchanged():
    row = _count(value=281.0, change_abs=1.0, change_rel=1 / 280, p_value=0.97)
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert "är i stort sett oförändrat: 281 år 2020 jämfört med 280 år 2019 (+0,4 %)" in text


def test_ia_partial_year_names_the_window():
    row = _count(source="ia", indicator="Hot", year=2022, prev_year=2021, value=50.0,
                 prev_value=51.0, change_abs=-1.0, change_rel=-1 / 51, rate_per_100k=math.nan,
                 p_value=1.0, window_start="2022-01-01", window_end="2022-11-15")  # fmt: skip
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert "under perioden 1 januari–15 november 2021" in text
    assert "till 50 under samma period 2022" in text
    assert "per 100 000" not in text


def test_comparable_series_and_earlier_population_are_said():
    row = _count(comparable_series="true",
                 note="befolkning för 2020 saknas; befolkningen 2019 används")  # fmt: skip
    text = change_sentence(row, area_name="Järva", plain=True)
    assert "i Järva" in text
    assert "jämförbar serie som summerar föregångarområdena" in text
    assert "(beräknat med befolkningen 2019)" in text


def test_chapter_label_in_running_text():
    row = _count(indicator="3 kap. Brott mot liv och hälsa")
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert "inom kategorin brott mot liv och hälsa (3 kap.) på Södermalm" in text


def test_missing_previous_value():
    row = _count(prev_value=math.nan, change_abs=math.nan, change_rel=math.nan, method="none",
                 p_value=math.nan, significant=math.nan)  # fmt: skip
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert text.endswith("Jämförelse med föregående mätning saknas.")
    assert "var 298 år 2020" in text
    assert "prövas" not in text


def test_both_zero_counts():
    row = _count(value=0.0, prev_value=0.0, change_abs=0.0, change_rel=math.nan, method="none",
                 p_value=math.nan, significant=math.nan, rate_per_100k=0.0)  # fmt: skip
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert "är oförändrat, 0 både år 2019 och 2020" in text
    assert text.endswith("Förändringen kan inte prövas statistiskt (för få fall).")


def test_share_sentence_uses_procentenheter():
    text = change_sentence(_share(), area_name="Södermalm", plain=True)
    assert text == (
        "Andelen ”Utsatt för misshandel” på Södermalm har minskat med 4 procentenheter till 3 % "
        "(Åk 9 pojkar, Stockholmsenkäten 2022 jämfört med 2020). Minskningen är statistiskt "
        "signifikant (p < 0,001)."
    )


def test_share_singular_procentenhet_and_decimals():
    text = change_sentence(
        _share(
            value=5.5,
            prev_value=4.5,
            change_abs=1.0,
            p_value=0.4,
            significant=False,
            source="trygghetsmatningen",
            group="Alla",
            year=2023,
        ),  # fmt: skip
        area_name="Farsta",
        plain=True,
    )
    assert "i Farsta har ökat med 1 procentenhet till 5,5 % (Trygghetsmätningen 2023" in text


def test_share_without_previous_wave():
    row = _share(prev_value=math.nan, prev_year=math.nan, change_abs=math.nan, method="none",
                 p_value=math.nan, significant=math.nan)  # fmt: skip
    text = change_sentence(row, area_name="Södermalm", plain=True)
    assert text.endswith("Jämförelse med föregående mätning saknas.")


def test_labels_and_places():
    assert crime_label("3-7 kap. Brott mot person") == "brott mot person (3–7 kap.)"
    assert crime_label("därav misshandel inkl. grov") == "misshandel inkl. grov"
    assert crime_label("IA-ärenden") == "IA-ärenden"
    assert place("Södermalm") == "på Södermalm"
    assert place("Rinkeby-Kista") == "i Rinkeby-Kista"


# ---------------------------------------------------------------- trend_sentence, methods


def _trend_row(pct: float, low: float, high: float) -> dict:
    return {"source": "bra", "indicator": "Samtliga brott", "year": 2023, "value": 41_900.0,
            "trend_pct": pct, "trend_ci_low": low, "trend_ci_high": high}  # fmt: skip


@pytest.mark.parametrize(
    ("pct", "low", "high", "expected"),
    [
        (6.4, 1.2, 11.9, "en ökande trend, i genomsnitt 6,4\u00a0% fler per år (95\u00a0% "
                          "konfidensintervall 1,2\u00a0% till 11,9\u00a0%)"),
        (-4.0, -7.5, -0.3, "en minskande trend, i genomsnitt 4,0\u00a0% färre per år "
                           "(95\u00a0% konfidensintervall −7,5\u00a0% till −0,3\u00a0%)"),
        # a large estimated change whose interval includes 0 is not called a trend
        (8.0, -0.4, 17.1, "legat på en i stort sett oförändrad nivå (30\u00a0000 år 2019, "
                          "41\u00a0900 år 2023): den skattade förändringen, 8,0\u00a0% per år, "
                          "skiljer sig inte säkert från noll"),
        (-6.0, -12.8, 0.2, "i stort sett oförändrad nivå"),
    ],
)
def test_trend_sentence_follows_the_interval(pct, low, high, expected):
    text = trend_sentence(load_sentences(), _trend_row(pct, low, high), area_name="Södermalm",
                          label="anmälda brott", first_value=30_000.0)  # fmt: skip
    assert text.startswith("Antalet anmälda brott på Södermalm ")
    assert "de senaste fem åren (2019–2023)" in text
    assert expected in text
    trend_word = "ökande trend" if low > 0 else "minskande trend" if high < 0 else None
    for word in ("ökande trend", "minskande trend", "oförändrad"):
        assert (word in text) == (word == (trend_word or "oförändrad")), (word, text)
    assert " %" not in text  # every percent sign after a no-break space


def test_trend_sentence_none_without_a_five_year_trend():
    row = _trend_row(float("nan"), float("nan"), float("nan"))
    assert trend_sentence(load_sentences(), row, area_name="Södermalm",
                          label="anmälda brott") is None  # fmt: skip


def test_trend_wording_lives_in_the_editable_templates(tmp_path):
    own = tmp_path / "sentences.yaml"
    own.write_text('trend_flat:\n  - "Oförändrat {{ label }} {{ place }}, {{ pct|pct1 }}."\n',
                   encoding="utf-8")  # fmt: skip
    text = trend_sentence(load_sentences(own), _trend_row(1.0, -1.0, 3.0),
                          area_name="Södermalm", label="anmälda brott")  # fmt: skip
    assert text == "Oförändrat anmälda brott på Södermalm, 1,0\u00a0%."


def test_methods_note_is_three_plain_sentences_and_the_appendix_is_technical():
    note = methods_note(area_name="Södermalm")
    assert note.count(". ") == 2 and note.endswith(".")
    assert "en av tjugo" in note and "Södermalm" in note and "staden" in note
    assert "φ" not in note and "Poisson" not in note  # plain Swedish for the styrgrupp
    appendix = " ".join(methods_appendix(ia_window="1 januari–15 november"))
    for term in ("kvasi-Poisson", "Wald", "t-fördelning", "centrala p-värdet",
                 "Clopper–Pearson", "Byars metod", "Wilsonintervall", "Newcombes",
                 "designeffekt", "Benjamini–Hochberg", "1 januari–15 november"):
        assert term in appendix, term
    assert "statistiskt säkerställd" not in note + appendix  # one term throughout


@pytest.mark.parametrize("missing", [None, math.nan, ""])
def test_missing_values_in_any_form_are_handled(missing):
    row = _count(p_value=missing, method="none", significant=missing)
    assert significance_sentence(row) == "Förändringen kan inte prövas statistiskt (för få fall)."
