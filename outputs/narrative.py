"""Swedish sentences for the draft, written from rows of ``indicators.csv``.

The sentences imitate the city's own lägesbild ("Antalet anmälda brott … har ökat från 280
år 2019 till 298 år 2020 …", "Minskningen är inte signifikant") and use the exact wording of
the statistics contract for significance. Writers format, they don't compute: every number
comes from the row, except the rounding for display and the choice of direction word.

Wording decisions:

* Direction: "ökat"/"minskat" from the sign of ``change_abs``; "är i stort sett oförändrat"
  (shares: "oförändrad") when the change would print as zero — a count within ±1 %, a share
  within ±0,5 procentenheter — and is not significant. A significant change is always called
  an increase or decrease, so the two sentences never contradict each other.
* BRÅ labels are turned into running text: "3 kap. Brott mot liv och hälsa" → "brott mot liv
  och hälsa (3 kap.)", "därav misshandel inkl. grov" → "misshandel inkl. grov"; the first
  letter is lowercased unless the first word is an acronym ("IA").
* Survey indicators are quoted as the producer wrote them (”…”): they are question labels,
  not noun phrases, and paraphrasing them risks changing their meaning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence

from outputs.swedish import format_decimal, format_int, format_p, format_percent, format_signed
from tasks.statistics import DEFAULT_ALPHA, TrendWindow, trend

__all__ = [
    "CANNOT_TEST",
    "crime_label",
    "change_sentence",
    "methods_note",
    "place",
    "significance_sentence",
    "trend_sentence",
]

CANNOT_TEST = "Förändringen kan inte prövas statistiskt (för få fall)."
NO_PREVIOUS = "Jämförelse med föregående mätning saknas."
SMALL_COUNT_REL = 0.01  # |change_rel| below this (and not significant): "oförändrat"
SMALL_SHARE_PP = 0.5  # |change| in percentage points below this: "oförändrad"

_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
_SURVEYS = {"stockholmsenkaten": "Stockholmsenkäten", "trygghetsmatningen": "Trygghetsmätningen"}
_TOTALS = {
    "brott", "samtliga brott", "totalt antal brott", "totalt", "samtliga",
    "samtliga anmälda brott", "totalt antal anmälda brott", "anmälda brott",
}  # fmt: skip
_PA_AREAS = {"Södermalm", "Norrmalm", "Östermalm", "Kungsholmen"}
_CHAPTER = re.compile(r"^(\d+(?:\s*[-–]\s*\d+)?)\s*kap\.?\s+(.+)$")
_EARLIER_POPULATION = re.compile(r"befolkningen (\d{4}) används")


# --------------------------------------------------------------------------- helpers


def _get(row: Mapping, key: str) -> object | None:
    """The row's value, with NaN, pandas NA and the empty string read as missing."""
    value = row.get(key)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        if value != value:  # NaN and pd.NA-like
            return None
    except TypeError:  # pd.NA refuses a truth value
        return None
    return value


def _num(row: Mapping, key: str) -> float | None:
    value = _get(row, key)
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _flag(row: Mapping, key: str) -> bool | None:
    """A boolean column read from a frame (bool) or back from the CSV ("true"/"false")."""
    value = _get(row, key)
    if value is None:
        return None
    if isinstance(value, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    return bool(value)


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():  # an acronym such as "IA" or "SFS"
        return text
    return text[:1].lower() + text[1:]


def crime_label(indicator: str) -> str:
    """BRÅ's ``Brott`` text as running text: "3 kap. Brott mot liv och hälsa" →
    "brott mot liv och hälsa (3 kap.)", "därav misshandel inkl. grov" → "misshandel inkl.
    grov", "3-7 kap. Brott mot person" → "brott mot person (3–7 kap.)".

    Args:
        indicator: the source's own label.

    Returns:
        A lowercase noun phrase for use after "inom kategorin".
    """
    text = " ".join(indicator.split())
    if text.lower().startswith("därav "):
        text = text[len("därav ") :]
    match = _CHAPTER.match(text)
    if match:
        chapters = re.sub(r"\s*[-–]\s*", "–", match.group(1))
        return f"{_lower_first(match.group(2))} ({chapters} kap.)"
    return _lower_first(text)


def place(area_name: str) -> str:
    """The area with its preposition: "på Södermalm" but "i Farsta", "i Rinkeby-Kista".

    Stockholm's inner-city islands and ridges take "på"; every other district "i".
    """
    return f"{'på' if area_name in _PA_AREAS else 'i'} {area_name}"


def _year(row: Mapping, key: str) -> str:
    value = _num(row, key)
    return "" if value is None else str(int(value))


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _day(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _window(row: Mapping) -> str | None:
    """'1 januari–15 november' for a partial-year comparison, else None."""
    start, end = _get(row, "window_start"), _get(row, "window_end")
    if start is None or end is None:
        return None
    return f"{_day(_date(start))}–{_day(_date(end))}"


def _pp(value: float, *, plain: bool) -> str:
    """Percentage points without needless decimals: 4 → "4", 4.5 → "4,5"."""
    decimals = 0 if abs(value - round(value)) < 1e-9 else 1
    return format_decimal(abs(value), decimals, plain=plain)


def _share(value: float, *, plain: bool) -> str:
    decimals = 0 if abs(value - round(value)) < 1e-9 else 1
    return format_percent(value, decimals, plain=plain)


def _is_significant(row: Mapping, alpha: float) -> bool | None:
    """The row's own decision; derived from the p-values only when the column is empty."""
    flag = _flag(row, "significant")
    if flag is not None:
        return flag
    p = _num(row, "p_value")
    if p is None:
        return None
    quasi = _num(row, "p_value_quasi")
    return p < alpha and (quasi is None or quasi < alpha)


def _change(row: Mapping) -> float | None:
    change = _num(row, "change_abs")
    if change is None:
        value, prev = _num(row, "value"), _num(row, "prev_value")
        if value is not None and prev is not None:
            change = value - prev
    return change


# --------------------------------------------------------------------------- sentences


def significance_sentence(row: Mapping, *, alpha: float = DEFAULT_ALPHA) -> str:
    """The significance sentence of the statistics contract for one indicator row.

    Args:
        row: one row of indicators.csv (``method``, ``p_value``, ``p_value_quasi``,
            ``significant``, ``change_abs``).
        alpha: the level the row was tested at (only used when ``significant`` is empty).

    Returns:
        E.g. "Ökningen är statistiskt signifikant (p = 0,036)." or, when the exact test
        is significant but the quasi-Poisson check is not, a sentence that says so.
    """
    method = _get(row, "method")
    significant = _is_significant(row, alpha)
    if method == "producer-flag":
        if significant is None:
            return CANNOT_TEST
        negation = "" if significant else "inte "
        return (
            "Enligt undersökningens egen redovisning är förändringen "
            f"{negation}statistiskt signifikant."
        )
    p = _num(row, "p_value")
    if method in (None, "none") or p is None or significant is None:
        return CANNOT_TEST
    change = _change(row) or 0.0
    noun = "Ökningen" if change > 0 else "Minskningen" if change < 0 else "Förändringen"
    if significant:
        return f"{noun} är statistiskt signifikant ({format_p(p)})."
    quasi = _num(row, "p_value_quasi")
    if p < alpha and quasi is not None and quasi >= alpha:
        return (
            f"{noun} är inte statistiskt signifikant när den årliga variationen beaktas "
            f"({format_p(p)} i exakt test, {format_p(quasi)} med hänsyn till överspridning)."
        )
    return (
        f"Förändringen är inte statistiskt signifikant ({format_p(p)}) och kan bero på "
        "slumpmässig variation."
    )


def _count_subject(row: Mapping, area_name: str) -> tuple[str, str]:
    """The sentence's subject and the unit noun for rates ("brott")."""
    source = _get(row, "source")
    indicator = str(_get(row, "indicator") or "")
    if source == "befolkning":
        return f"Folkmängden {place(area_name)}", "invånare"
    if source == "ia":
        label = _lower_first(indicator)
        return f"Antalet incidenter i kategorin {label} rapporterade i IA för {area_name}", ""
    where = place(area_name)
    police = " enligt polisens statistik" if source == "polis" else ""
    if indicator.strip().lower() in _TOTALS:
        return f"Det totala antalet anmälda brott {where}{police}", "brott"
    return f"Antalet anmälda brott inom kategorin {crime_label(indicator)} {where}{police}", "brott"


def _rate_clause(row: Mapping, noun: str, *, plain: bool) -> str:
    rate = _num(row, "rate_per_100k")
    if rate is None or not noun:
        return ""
    hundred_k = format_int(100_000, plain=plain)
    clause = f", vilket motsvarar {format_int(rate, plain=plain)} {noun} per {hundred_k} invånare"
    earlier = _EARLIER_POPULATION.search(str(_get(row, "note") or ""))
    if earlier:
        clause += f" (beräknat med befolkningen {earlier.group(1)})"
    return clause


def _count_sentence(row: Mapping, area_name: str, alpha: float, plain: bool) -> list[str]:
    subject, noun = _count_subject(row, area_name)
    year, prev_year = _year(row, "year"), _year(row, "prev_year")
    value, prev = _num(row, "value"), _num(row, "prev_value")
    preliminary = _flag(row, "preliminary")
    prel = "preliminära siffror" if preliminary else ""
    if value is None:
        return [f"Uppgift för {year} saknas ({subject[0].lower()}{subject[1:]})."]
    now = format_int(value, plain=plain)
    window = _window(row)
    when = f"under perioden {window} " if window else "år "
    if prev is None:
        extra = f" ({prel})" if prel else ""
        rate = _rate_clause(row, noun, plain=plain)
        return [f"{subject} var {now} {when}{year}{extra}{rate}.", NO_PREVIOUS]
    old = format_int(prev, plain=plain)
    old_part = f"{old} {when}{prev_year}"
    new_part = f"{now} under samma period {year}" if window else f"{now} år {year}"
    both = f"{now} {when}{year} jämfört med {old}" + (
        f" samma period {prev_year}" if window else f" år {prev_year}"
    )
    rel = _num(row, "change_rel")
    parts = []
    if rel is not None:
        pct = rel * 100
        parts.append(f"{format_signed(pct, 1 if abs(pct) < 1 else 0, plain=plain)} %")
    if prel:
        parts.append(prel)
    paren = f" ({'; '.join(parts)})" if parts else ""
    change = _change(row) or 0.0
    stable = rel is not None and abs(rel) < SMALL_COUNT_REL and not _is_significant(row, alpha)
    unchanged = "oförändrad" if _get(row, "source") == "befolkning" else "oförändrat"
    if change == 0:
        main = f"{subject} är {unchanged}, {now} både {when}{prev_year} och {year}"
        main += f" ({prel})" if prel else ""
    elif stable:
        main = f"{subject} är i stort sett {unchanged}: {both}{paren}"
    else:
        verb = "ökat" if change > 0 else "minskat"
        main = f"{subject} har {verb} från {old_part} till {new_part}{paren}"
    return [main + _rate_clause(row, noun, plain=plain) + "."]


def _share_sentence(row: Mapping, area_name: str, alpha: float, plain: bool) -> list[str]:
    label = str(_get(row, "indicator") or "")
    subject = f"Andelen ”{label}” {place(area_name)}"
    survey = _SURVEYS.get(str(_get(row, "source")), str(_get(row, "source") or ""))
    group = str(_get(row, "group") or "")
    who = f"{group}, " if group and group.lower() != "alla" else ""
    year, prev_year = _year(row, "year"), _year(row, "prev_year")
    value, prev = _num(row, "value"), _num(row, "prev_value")
    if value is None:
        return [f"Andelen ”{label}” redovisas inte {place(area_name)} {year} ({who}{survey})."]
    now = _share(value, plain=plain)
    if prev is None:
        return [f"{subject} var {now} ({who}{survey} {year}).", NO_PREVIOUS]
    context = f"({who}{survey} {year} jämfört med {prev_year})"
    change = _change(row) or 0.0
    if change == 0 or (abs(change) < SMALL_SHARE_PP and not _is_significant(row, alpha)):
        return [f"{subject} är i stort sett oförändrad, {now} {context}."]
    verb = "ökat" if change > 0 else "minskat"
    unit = "procentenhet" if abs(abs(change) - 1) < 1e-9 else "procentenheter"
    return [f"{subject} har {verb} med {_pp(change, plain=plain)} {unit} till {now} {context}."]


def change_sentence(
    row: Mapping, *, area_name: str, alpha: float = DEFAULT_ALPHA, plain: bool = False
) -> str:
    """The change since the previous measurement, in words, with its significance.

    Counts (BRÅ, police, IA, population) give the old and new count, the relative change,
    the rate per 100 000 invånare where there is one, the calendar window for partial-year
    IA counts and "(preliminära siffror)"; shares give the change in procentenheter with
    group, survey and waves. A series summed from predecessor areas says so.

    Args:
        row: one row of indicators.csv.
        area_name: the area's display name ("Södermalm").
        alpha: the level the row was tested at.
        plain: ordinary spaces instead of no-break spaces in numbers.

    Returns:
        One to three sentences.
    """
    if _get(row, "unit") == "procent":
        sentences = _share_sentence(row, area_name, alpha, plain)
    else:
        sentences = _count_sentence(row, area_name, alpha, plain)
    has_comparison = _num(row, "prev_value") is not None and _num(row, "value") is not None
    if has_comparison and _get(row, "source") != "befolkning":
        sentences.append(significance_sentence(row, alpha=alpha))
    if _flag(row, "comparable_series"):
        sentences.append("Siffrorna avser en jämförbar serie som summerar föregångarområdena.")
    return " ".join(sentences)


def _approx(value: float, *, plain: bool) -> str:
    """Large counts in round thousands, as the lägesbild writes them: 'drygt 34 000'."""
    if abs(value) < 10_000:
        return format_int(value, plain=plain)
    rounded = round(value / 1000) * 1000
    word = "" if rounded == value else "drygt " if value > rounded else "knappt "
    return word + format_int(rounded, plain=plain)


def _trend_clause(window: TrendWindow, plain: bool) -> str:
    start = _approx(window.start_value, plain=plain)
    end = _approx(window.end_value, plain=plain)
    if window.direction == "i stort sett oförändrat":
        years = f"{start} år {window.start_year}, {end} år {window.end_year}"
        return f"varit i stort sett oförändrat ({years})"
    return f"{window.direction} från {start} till {end}"


def trend_sentence(
    series: Sequence[tuple[int, float]], *, area_name: str, label: str, plain: bool = False
) -> str | None:
    """Multi-year context: "Antalet anmälda brott på Södermalm har de senaste tre åren
    (2018–2020) ökat från drygt 34 000 till knappt 42 000."

    The three-year window leads; the five-year window is added when it points another way.
    Directions follow ``tasks.statistics.trend`` (within ±5 % is "i stort sett oförändrat").

    Args:
        series: (year, value) pairs.
        area_name: the area's display name.
        label: a noun phrase after "Antalet", e.g. "anmälda brott".
        plain: ordinary spaces instead of no-break spaces.

    Returns:
        The sentence(s), or None when the series has no three- or five-year window.
    """
    result = trend(series)
    if result is None:
        return None
    subject = f"Antalet {label} {place(area_name)}"
    lead = result.three or result.five
    assert lead is not None  # trend() returns None otherwise
    span = "tre" if lead is result.three else "fem"
    text = (
        f"{subject} har de senaste {span} åren ({lead.start_year}–{lead.end_year}) "
        f"{_trend_clause(lead, plain)}."
    )
    five = result.five
    if lead is result.three and five is not None and five.direction != lead.direction:
        text += (
            f" Över fem år ({five.start_year}–{five.end_year}) har antalet "
            f"{_trend_clause(five, plain)}."
        )
    return text


def methods_note() -> str:
    """The draft's methods note (statistics contract, "Swedish wording").

    Returns:
        A paragraph of plain Swedish text.
    """
    return (
        "Tvåsidiga test på 5 procents nivå: exakt test för två Poissonfördelade antal "
        "(anmälda brott), χ²-test respektive Fishers exakta test (enkätandelar). "
        "Ingen justering för multipla jämförelser. "
        "Det innebär att ungefär en jämförelse av tjugo kan bli statistiskt signifikant av "
        "en slump, även när ingen verklig förändring har skett. "
        "Antalet anmälda brott varierar mer mellan åren än slumpen ensam förklarar "
        "(överspridning). Därför prövas förändringar med minst fem års serie också med en "
        "kvasi-Poissonmodell, och en förändring kallas signifikant först när båda testen ger "
        "p < 0,05. Incidenter i IA jämförs under samma kalenderperiod varje år. "
        "Där undersökningen själv redovisar om en förändring är signifikant används den "
        "redovisningen, eftersom den tar hänsyn till undersökningens vikter. "
        "I indicators.csv redovisas för varje jämförelse även p-värden justerade för "
        "multipla jämförelser enligt Benjamini–Hochberg."
    )
