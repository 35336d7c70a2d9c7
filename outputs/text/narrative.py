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

The significance sentence and the methods note are in ``outputs.text.significance_wording`` (re-
exported here); reading a row (NaN, NA, CSV strings) is in ``outputs.text._indicator_row``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from outputs.swedish import NBSP, format_decimal, format_int, format_percent, format_relative
from outputs.text._indicator_row import row_change as _change
from outputs.text._indicator_row import row_flag as _flag
from outputs.text._indicator_row import row_number as _num
from outputs.text._indicator_row import row_significant as _is_significant
from outputs.text._indicator_row import row_value as _get
from outputs.text.sentences import Sentences
from outputs.text.significance_wording import CANNOT_TEST, methods_note, significance_sentence
from tasks.statistics import DEFAULT_ALPHA

__all__ = [
    "CANNOT_TEST",
    "crime_label",
    "change_sentence",
    "methods_note",
    "place",
    "significance_sentence",
    "trend_sentence",
]

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


# --------------------------------------------------------------------------- sentences


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
        parts.append(format_relative(rel, plain=plain))
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
    text = " ".join(sentences)
    return text.replace(NBSP, " ") if plain else text


def trend_sentence(
    words: Sentences, row: Mapping[str, object], *, area_name: str, label: str,
    first_value: float | None = None, alpha: float = DEFAULT_ALPHA,
) -> str | None:
    """The five-year trend of ``row`` (``trend_pct``, ``trend_ci_low``, ``trend_ci_high``)
    in words, as statistics.md (a) "Trend" prescribes: "ökande/minskande trend" only when
    the interval excludes 0, else "i stort sett oförändrad".

    The wording is in the sentence templates (``trend_up``, ``trend_down``, ``trend_flat``);
    the direction follows the interval, never the change between two end points, so the
    sentence and the interval in ``indicators.csv`` cannot disagree.

    Args:
        words: the draft's sentence templates.
        row: the report year's indicator row (the total of anmälda brott).
        area_name: the area's display name.
        label: a noun phrase after "Antalet", e.g. "anmälda brott".
        first_value: the count of the window's first year, quoted for context if given.
        alpha: the significance level the interval was computed at.

    Returns:
        The sentence, or None when the row has no trend (a series shorter than five years).
    """
    pct, low, high = (_num(row, k) for k in ("trend_pct", "trend_ci_low", "trend_ci_high"))
    year = _num(row, "year")
    if pct is None or low is None or high is None or year is None:
        return None
    name = "trend_up" if low > 0 else "trend_down" if high < 0 else "trend_flat"
    return words.say(
        name, label=label, place=place(area_name), year=int(year), first_year=int(year) - 4,
        pct=pct, low=low, high=high, level=100 * (1 - alpha),
        value=_num(row, "value"), first_value=first_value,
    )
