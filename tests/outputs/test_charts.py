"""Tests for outputs.draft.word.charts: deterministic PNGs with caption and alt text."""

from __future__ import annotations

import pandas as pd

from outputs.draft.word.charts import crime_chart, survey_chart

PNG = b"\x89PNG\r\n\x1a\n"


def _series() -> pd.DataFrame:
    rows = []
    for year, total, theft, prel in ((2022, 38000, 17000, False), (2023, 39876, 18000, False),
                                     (2024, 41234, 17500, True)):  # fmt: skip
        rows.append((year, "Samtliga brott", total, prel))
        rows.append((year, "8 kap. Stöld, rån och andra tillgreppsbrott", theft, prel))
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "preliminary"]).assign(
        rate_per_100k=float("nan")
    )


def _survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["Utsatt för misshandel", "Utsatt för misshandel", "Känner sig trygg"],
            "group": ["Åk 9 pojkar", "Åk 9 flickor", ""],
            "year": [2024, 2024, 2024],
            "prev_year": [2022, 2022, 2022],
            "value": [3.0, 2.0, 80.0],
            "prev_value": [7.0, 6.0, 81.0],
        }
    )


def test_crime_chart_is_a_deterministic_png() -> None:
    first = crime_chart(_series(), "Södermalm")
    second = crime_chart(_series(), "Södermalm")
    assert first is not None and second is not None
    assert first.png.startswith(PNG)
    assert first.png == second.png
    assert b"Software" not in first.png and b"matplotlib" not in first.png


def test_crime_chart_caption_marks_preliminary_and_alt_lists_values() -> None:
    chart = crime_chart(_series(), "Södermalm")
    assert chart is not None
    assert chart.caption.startswith("Anmälda brott i Södermalm 2022–2024 enligt BRÅ, antal.")
    assert "Preliminära siffror (2024)" in chart.caption
    assert "Samtliga brott: 2022: 38 000, 2023: 39 876, 2024: 41 234." in chart.alt_text
    assert "en panel per brottskategori" in chart.alt_text
    assert "8 kap. Stöld" in chart.alt_text


def test_crime_chart_needs_two_years() -> None:
    one_year = _series()[lambda f: f["year"] == 2024]
    assert crime_chart(one_year, "Södermalm") is None
    assert crime_chart(pd.DataFrame(), "Södermalm") is None


def test_survey_chart_caption_and_alt_text() -> None:
    chart = survey_chart(_survey(), "Stockholmsenkäten")
    assert chart is not None
    assert chart.png.startswith(PNG)
    assert chart.png == survey_chart(_survey(), "Stockholmsenkäten").png
    assert chart.caption == "Stockholmsenkäten: andel (%) per indikator och grupp, 2022 och 2024."
    assert "Utsatt för misshandel, Åk 9 pojkar: 7,0 → 3,0" in chart.alt_text


def test_survey_chart_needs_both_waves() -> None:
    frame = _survey().assign(prev_value=float("nan"))
    assert survey_chart(frame, "Stockholmsenkäten") is None


def test_crime_chart_uses_rates_and_the_city_reference_with_its_place() -> None:
    series = _series().assign(rate_per_100k=lambda f: f["value"] / 1.3,
                              city_rate_per_100k=lambda f: f["value"] / 1.6)  # fmt: skip
    chart = crime_chart(series, "Södermalm", place="på Södermalm")
    assert chart is not None
    assert chart.caption.startswith("Anmälda brott på Södermalm 2022–2024 enligt BRÅ, "
                                    "per 100\u00a0000 invånare, med staden som jämförelse")
    assert "Värden per 100 000 invånare." in chart.alt_text


def test_single_group_survey_is_one_panel_of_indicators_not_bars_labelled_alla() -> None:
    frame = pd.DataFrame({"indicator": ["Oro att utsättas för brott", "Otrygg"],
                          "group": ["Alla", "Alla"], "year": [2020, 2020],
                          "prev_year": [2017, 2017], "value": [6.0, 5.0],
                          "prev_value": [8.0, 6.0]})  # fmt: skip
    chart = survey_chart(frame, "Trygghetsmätningen")
    assert chart is not None
    assert chart.caption == "Trygghetsmätningen: andel (%) per indikator, 2017 och 2020."


def test_charts_draw_in_threads_without_pyplot() -> None:
    """The object API needs no lock: parallel drawings give the same bytes as one alone."""
    from concurrent.futures import ThreadPoolExecutor

    alone = crime_chart(_series(), "Södermalm").png
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: crime_chart(_series(), "Södermalm").png, range(8)))
    assert all(r == alone for r in results)
    import outputs.draft.word.charts as charts

    assert not hasattr(charts, "plt") and not hasattr(charts, "_PYPLOT")


CATEGORIES = ("Samtliga brott", "3 kap. Brott mot liv och hälsa", "3-7 kap. Brott mot person",
              "4 kap. Brott mot frihet och frid", "6 kap. Sexualbrott",
              "8 kap. Stöld, rån och andra tillgreppsbrott", "Narkotikabrott",
              "därav misshandel inkl. grov", "därav rån inkl. grovt")  # fmt: skip


def test_crime_panel_titles_wrap_on_words_and_are_never_cut() -> None:
    rows = [(year, label, 100.0 + i, False) for year in (2021, 2022)
            for i, label in enumerate(CATEGORIES)]  # fmt: skip
    series = pd.DataFrame(rows, columns=["year", "indicator", "value", "preliminary"])
    chart = crime_chart(series.assign(rate_per_100k=float("nan")), "Södermalm")
    assert chart is not None
    titles = [t.replace("\u00a0", " ") for t in chart.labels]
    assert "Brott mot person\n(3–7 kap.)" in titles
    assert "Brott mot frihet och frid\n(4 kap.)" in titles
    assert "Stöld, rån och andra\ntillgreppsbrott (8 kap.)" in titles
    for title in titles:
        assert "…" not in title and len(title.splitlines()) <= 2
        assert "kap" not in title or title.endswith("kap.)")


def test_long_survey_labels_wrap_over_two_lines_instead_of_an_ellipsis() -> None:
    long = "Narkotikamissbrukare på offentliga platser upplevs som problem"
    frame = pd.DataFrame({"indicator": [long, "Otrygg"], "group": ["Alla", "Alla"],
                          "year": [2020, 2020], "prev_year": [2017, 2017],
                          "value": [13.0, 5.0], "prev_value": [11.0, 6.0]})  # fmt: skip
    chart = survey_chart(frame, "Trygghetsmätningen")
    assert chart is not None
    label = next(x for x in chart.labels if x.startswith("Narkotika"))
    assert "…" not in label and len(label.splitlines()) >= 2
    assert " ".join(label.splitlines()) == long
