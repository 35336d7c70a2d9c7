"""The åtgärdsplan (action plan) with its uppföljning, read for the draft's appendix.

Read from ``<text_dir>/<area>/<year>-atgardsplan.yaml``::

    problemomraden:
      - namn: Unga i riskzon för destruktivt beteende
        atgarder:
          - orsak: ...
            atgard: ...
            operativa_mal: ...
            nar: ...
            vem: ...
            uppfoljning: ...

or from ``<year>-atgardsplan.xlsx`` with the columns Problemområde, Orsak, Åtgärd,
Operativa mål, När, Vem, Uppföljning (one row per åtgärd; rows of one problem area are
printed together in the order the area first appears). The appendix has one table per
problem area, as in the city's own plan (seed 004), on landscape pages
(``outputs.draft.word.action_plan``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from lagesbild.errors import InputError
from outputs.draft.content.editorial import unfold
from outputs.draft.content.locations import action_plan_paths
from outputs.text.sentences import Sentences

__all__ = [
    "COLUMNS",
    "Action",
    "ActionPlan",
    "ProblemArea",
    "action_plan_paths",
    "load_action_plan",
    "plan_warnings",
]

logger = logging.getLogger(__name__)

#: Column header → YAML key, in print order.
COLUMNS: dict[str, str] = {
    "Orsak": "orsak",
    "Åtgärd": "atgard",
    "Operativa mål": "operativa_mal",
    "När": "nar",
    "Vem": "vem",
    "Uppföljning": "uppfoljning",
}
_AREA_COLUMN = "Problemområde"


@dataclass(frozen=True)
class Action:
    """One row of a problem area's table."""

    orsak: str
    atgard: str
    operativa_mal: str = ""
    nar: str = ""
    vem: str = ""
    uppfoljning: str = ""

    def cells(self) -> tuple[str, ...]:
        """The row's texts in :data:`COLUMNS` order."""
        return tuple(getattr(self, key) for key in COLUMNS.values())


@dataclass(frozen=True)
class ProblemArea:
    """One problem area (a table) and its åtgärder."""

    name: str
    actions: tuple[Action, ...]
    #: The priority areas (names as in areas.yaml) this problem area answers: the key
    #: that a priority area's "se Åtgärdsplan" is matched by (``prioriterade_omraden:``).
    priority_areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionPlan:
    """An area-year's åtgärdsplan.

    Attributes:
        areas: the problem areas in print order.
        file: where it was read from.
    """

    areas: tuple[ProblemArea, ...]
    file: Path | None = None


def load_action_plan(text_dir: Path, area: str, year: int) -> ActionPlan | None:
    """Read an area-year's åtgärdsplan from YAML or xlsx.

    Args:
        text_dir: the root of the text files.
        area: area id.
        year: report year.

    Returns:
        The plan, or None when neither file exists.

    Raises:
        InputError: a malformed file; names file, row (line) and column (key).
    """
    yaml_path, xlsx_path = action_plan_paths(text_dir, area, year)
    if yaml_path.is_file():
        return _from_yaml(yaml_path)
    if xlsx_path.is_file():
        return _from_xlsx(xlsx_path)
    logger.info("no åtgärdsplan for %s %s", area, year)
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return unfold(str(value))


def _from_yaml(path: Path) -> ActionPlan:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        row = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise InputError(f"not valid YAML: {exc.problem}", file=path, row=row) from exc
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if root is not None else None
    if not isinstance(data, dict) or not isinstance(data.get("problemomraden"), list):
        raise InputError("expected a list under 'problemomraden'", file=path, row=1,
                         column="problemomraden")  # fmt: skip
    nodes = dict((k.value, v) for k, v in root.value)["problemomraden"].value
    areas = []
    for area_node, area in zip(nodes, data["problemomraden"], strict=True):
        line = area_node.start_mark.line + 1
        if not isinstance(area, dict) or not _text(area.get("namn")):
            raise InputError("a problem area needs 'namn'", file=path, row=line, column="namn")
        actions = []
        raw_actions = area.get("atgarder") or []
        action_nodes = dict((k.value, v) for k, v in area_node.value).get("atgarder")
        for index, raw in enumerate(raw_actions):
            row = action_nodes.value[index].start_mark.line + 1 if action_nodes else line
            if not isinstance(raw, dict):
                raise InputError("an åtgärd must be a mapping", file=path, row=row,
                                 column="atgarder")  # fmt: skip
            unknown = sorted(set(raw) - set(COLUMNS.values()))
            if unknown:
                raise InputError(f"unknown key(s) {unknown}; expected {list(COLUMNS.values())}",
                                 file=path, row=row, column=unknown[0])  # fmt: skip
            if not _text(raw.get("atgard")):
                raise InputError("an åtgärd needs 'atgard'", file=path, row=row, column="atgard")
            actions.append(Action(**{k: _text(raw.get(k)) for k in COLUMNS.values()}))
        keys = area.get("prioriterade_omraden") or []
        keys = [keys] if isinstance(keys, str) else keys
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise InputError("'prioriterade_omraden' must be a list of priority area names",
                             file=path, row=line, column="prioriterade_omraden")  # fmt: skip
        unknown_keys = sorted(set(area) - {"namn", "atgarder", "prioriterade_omraden"})
        if unknown_keys:
            raise InputError(f"unknown key(s) {unknown_keys}", file=path, row=line,
                             column=unknown_keys[0])  # fmt: skip
        areas.append(ProblemArea(name=_text(area["namn"]), actions=tuple(actions),
                                 priority_areas=tuple(k.strip() for k in keys)))  # fmt: skip
    return ActionPlan(areas=tuple(areas), file=path)


def _from_xlsx(path: Path) -> ActionPlan:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"cannot read workbook: {exc}", file=path) from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise InputError("the sheet is empty", file=path, row=1)
    header = [_text(c) for c in rows[0]]
    for name in (_AREA_COLUMN, *COLUMNS):
        if name not in header:
            raise InputError(f"missing column {name!r}; found {header}", file=path, row=1,
                             column=name)  # fmt: skip
    index = {name: header.index(name) for name in (_AREA_COLUMN, *COLUMNS)}
    grouped: dict[str, list[Action]] = {}
    for number, values in enumerate(rows[1:], start=2):
        cells = {name: _text(values[i]) if i < len(values) else "" for name, i in index.items()}
        if not any(cells.values()):
            continue
        if not cells[_AREA_COLUMN]:
            raise InputError("empty Problemområde", file=path, row=number, column=_AREA_COLUMN)
        if not cells["Åtgärd"]:
            raise InputError("empty Åtgärd", file=path, row=number, column="Åtgärd")
        action = Action(**{key: cells[col] for col, key in COLUMNS.items()})
        grouped.setdefault(cells[_AREA_COLUMN], []).append(action)
    return ActionPlan(
        areas=tuple(ProblemArea(name, tuple(acts)) for name, acts in grouped.items()), file=path
    )


def plan_warnings(plan: ActionPlan | None, editorial: Mapping[str, str],
                  priority_areas: Sequence[str], sentences: Sentences) -> list[str]:  # fmt: skip
    """Priority areas whose status says "se Åtgärdsplan" but that no problem area answers.

    Matched by the configured key (a problem area's ``prioriterade_omraden``), never by
    comparing free text, so "Unga i riskzon …" in the plan and "Unga i risk …" in the
    configuration are not guessed to be the same.

    Returns:
        One warning per unmatched priority area (the draft lists them under Datakvalitet),
        worded by the ``plan_missing`` / ``plan_unmatched`` templates: the draft is read
        by the styrgrupp, so the wording names no configuration key.
    """
    covered = {k for area in (plan.areas if plan else ()) for k in area.priority_areas}
    template = "plan_missing" if plan is None else "plan_unmatched"
    return [sentences.say(template, area=name) for name in priority_areas
            if editorial.get(f"status:{name}") == "atgardsplan" and name not in covered]
