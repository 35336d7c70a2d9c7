"""Sentence templates: a small set of Jinja snippets a district can edit, counted per use.

The snippets live in ``outputs/templates/sentences.yaml`` (name → list of variants). The
n-th use of a name takes variant ``n mod len(variants)``, so the same wording does not
repeat paragraph after paragraph; every (name, variant) use is counted in
:attr:`Sentences.uses`, and a test holds each count of the sample draft at most
:data:`MAX_USES`. Numbers are formatted by filters (``num``, ``pct``, ``pct1``, ``pp``,
``rel``, ``p``) with no-break spaces, so a template cannot print "12 %" with a breakable space;
the "100 000" a template types in "per 100 000 invånare" gets one as well. ``och`` joins a
list ("a, b och c") and ``month`` names a month (5 → "maj").
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import jinja2
import yaml

from lagesbild.errors import InputError
from outputs.swedish import (
    NBSP,
    format_int,
    format_p,
    format_percent,
    format_relative,
    format_share,
    join_och,
    month_name,
)

__all__ = ["MAX_USES", "SENTENCES_FILE", "Sentences", "configured_sentences_file", "load_sentences"]

SENTENCES_FILE = Path(__file__).resolve().parent.parent / "templates" / "sentences.yaml"
#: A generated sentence wording used more often than this in one draft reads as a template.
MAX_USES = 5
_SPACES = re.compile(r"[ \t\r\n]+")  # not \s: a no-break space must survive
#: "per 100 000 invånare" as typed in a template: the thousands space must not break.
_HUNDRED_THOUSAND = re.compile(r"(?<=\b100) (?=000\b)")


def _pp(value: float | None) -> str:
    """Percentage points: '4 procentenheter', '1 procentenhet', '0,5 procentenheter'."""
    if value is None:
        return "–"
    size = abs(float(value))
    text = format_share(size).removesuffix(f"{NBSP}%")
    unit = "procentenhet" if abs(size - 1) < 1e-9 else "procentenheter"
    return f"{text}{NBSP}{unit}"


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=False)  # fmt: skip
    env.filters.update(
        num=lambda v: format_int(v),
        pct=lambda v: format_share(v),
        pct1=lambda v: format_percent(v, 1),
        pp=_pp,
        rel=lambda v: format_relative(v),
        p=lambda v: format_p(float(v)),
        nbsp=lambda v: str(v).replace(" ", NBSP),
        cap=lambda v: str(v)[:1].upper() + str(v)[1:],
        och=join_och,
        month=month_name,
    )
    return env


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> jinja2.Template:
    """One snippet compiled once per process: a draft loads the set several times (its
    content, the action plan's warnings, "what changed"), and compiling ~250 snippets costs
    about 0.3 s each time. Templates are immutable, so sharing them is safe."""
    return _environment().from_string(text)


class Sentences:
    """Renders named snippets, rotating variants and counting each use."""

    def __init__(self, snippets: Mapping[str, list[str]], *, source: Path | None = None) -> None:
        self.source = source
        self._templates: dict[str, list[jinja2.Template]] = {}
        for name, variants in snippets.items():
            texts = [variants] if isinstance(variants, str) else list(variants)
            try:
                self._templates[name] = [_compile(str(t)) for t in texts]
            except jinja2.TemplateSyntaxError as error:
                raise InputError(f"Jinja syntax error: {error.message}", file=source,
                                 column=name) from None  # fmt: skip
        self._next: Counter[str] = Counter()
        #: (name#variant) → number of uses in this draft.
        self.uses: Counter[str] = Counter()

    def has(self, name: str) -> bool:
        """True when the set defines ``name``."""
        return name in self._templates

    def say(self, name: str, **values: object) -> str:
        """The next variant of ``name`` rendered with ``values``, whitespace folded.

        Raises:
            InputError: an unknown name, or a variable the template needs is missing
                (names the file and the snippet).
        """
        if name not in self._templates:
            raise InputError(f"no sentence template {name!r}", file=self.source, column=name)
        variants = self._templates[name]
        index = self._next[name] % len(variants)
        self._next[name] += 1
        try:
            text = variants[index].render(**values)
        except jinja2.UndefinedError as error:
            raise InputError(f"template variable missing: {error.message}",
                             file=self.source, column=f"{name}[{index}]") from None  # fmt: skip
        self.uses[f"{name}#{index}"] += 1
        return _HUNDRED_THOUSAND.sub(NBSP, _SPACES.sub(" ", text).strip())


def load_sentences(path: Path | None = None) -> Sentences:
    """The sentence set of ``path`` (default :data:`SENTENCES_FILE`).

    A district's own file may define only some names; the rest come from the default set.

    Raises:
        InputError: the file is not a mapping of names to snippet lists.
    """
    snippets = _read(SENTENCES_FILE)
    if path is not None and Path(path) != SENTENCES_FILE:
        snippets.update(_read(Path(path)))
    return Sentences(snippets, source=Path(path) if path else SENTENCES_FILE)


def configured_sentences_file(config: Mapping, area_id: str, *, base: Path) -> Path | None:
    """The district's own sentence file that report.yaml's ``sentences_file`` names.

    ``sentences_file`` is a path (every area) or a mapping area id → path; a relative path
    is relative to the report configuration's folder. The district's file only needs the
    snippets it changes (:func:`load_sentences` fills in the rest).

    Args:
        config: the report configuration (``lagesbild/conf/report.yaml``).
        area_id: the run's area.
        base: the report configuration file, for relative paths and error messages.

    Returns:
        The file, or None when none is configured for the area (the default set applies).

    Raises:
        InputError: the value is not a path or mapping, or the file does not exist.
    """
    value = config.get("sentences_file")
    column = "sentences_file"
    if isinstance(value, Mapping):
        value, column = value.get(area_id), f"sentences_file.{area_id}"
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError("expected a path or a mapping of area ids to paths", file=base,
                         column=column)  # fmt: skip
    path = Path(value).expanduser()
    path = path if path.is_absolute() else Path(base).parent / path
    if not path.is_file():
        raise InputError(f"sentence file {path} not found", file=base, column=column)
    return path


def _read(path: Path) -> dict[str, list[str]]:
    """The file's snippets (a fresh dict: callers update it), parsed once per content."""
    return dict(_parse(Path(path), Path(path).read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=32)
def _parse(path: Path, text: str) -> dict[str, list[str]]:
    """Parsed and checked; keyed by the text itself, so an edited file is parsed again."""
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, Mapping):
        raise InputError("expected a mapping of sentence names to lists", file=path)
    for name, value in raw.items():
        if not isinstance(value, (list, str)) or not value:
            raise InputError("expected a non-empty list of Jinja snippets", file=path,
                             column=str(name))  # fmt: skip
    return {str(k): v for k, v in raw.items()}
