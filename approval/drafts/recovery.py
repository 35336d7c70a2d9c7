"""Recovery of version directories the database never heard of.

A run killed (kill -9, power cut) after renaming its finished ``vNNN`` into place but
before inserting its row leaves a complete directory without a record. The next publish of
that area-year (under its lock) finds it before choosing a number:

* **adopted** when its ``manifest.json`` matches the directory exactly (every file and its
  sha256, area, year, number): the row the killed run would have written is written now,
  from the manifest (same inputs fingerprint, flow run and creation time), so a rerun with
  the same inputs reports it unchanged instead of making another version;
* **quarantined** otherwise (or when the area-year was fastställd since it was built):
  renamed to ``.vNNN.quarantine-<UTC time>`` beside the versions (hidden, never deleted)
  with a warning naming every problem. Its number is not reused
  (``outputs.publish.versions.next_version_number`` counts it), and the skip is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from approval.audit.anchor import anchor_version
from approval.drafts.versions import VersionRepository
from lagesbild.errors import AreaYearAdopted
from outputs.publish.manifest import check_manifest

__all__ = ["Recovered", "recover_unrecorded"]

log = logging.getLogger(__name__)

_VERSION_DIR = re.compile(r"^v(\d{3,})$")


@dataclass(frozen=True)
class Recovered:
    """What recovery did with one unrecorded directory."""

    version: int
    action: str  # "adopted" or "quarantined"
    path: Path
    problems: tuple[str, ...] = ()


def recover_unrecorded(
    repo: VersionRepository, out: Path, area: str, year: int
) -> list[Recovered]:
    """Adopt or quarantine every ``vNNN`` directory of an area-year without a row.

    Only safe while holding the area-year's publish lock (``approval.drafts.locks``).

    Args:
        repo: the version repository.
        out: root of the version directories.
        area: area id.
        year: report year.

    Returns:
        One entry per unrecorded directory, by version number.
    """
    parent = Path(out) / area / str(year)
    if not parent.is_dir():
        return []
    recorded = {v.version for v in repo.all(area, year)}
    found = sorted(
        (int(m.group(1)), p)
        for p in parent.iterdir()
        if p.is_dir() and (m := _VERSION_DIR.match(p.name)) and int(m.group(1)) not in recorded
    )
    done: list[Recovered] = []
    for number, path in found:
        check = check_manifest(path, area=area, year=year, version=number)
        if check.ok:
            manifest = check.manifest or {}
            try:
                repo.record(
                    area=area, year=year, version=number,
                    docx_sha256=manifest["files"][check.draft],
                    pdf_sha256=check.sha256_of(".pdf"),
                    inputs_fingerprint=manifest["inputs_fingerprint"],
                    inputs=manifest["inputs"], flow_run_id=manifest.get("flow_run_id"),
                    directory=str(path.resolve()), created_at=check.created_at,
                    revision_of=manifest.get("revision_of"),
                    revision_reason=manifest.get("revision_reason"),
                    actor=manifest.get("actor"),
                )  # fmt: skip
                anchor_version(repo.engine, next(v.id for v in repo.all(area, year)
                                                 if v.version == number), path)  # fmt: skip
            except AreaYearAdopted:  # fastställd since: the draft was never a version
                check.problems.append("the area-year was fastställd after it was built")
            else:
                log.warning("%s %s: adopted %s, left unrecorded by an interrupted run "
                            "(complete, matches its manifest)", area, year, path)  # fmt: skip
                done.append(Recovered(number, "adopted", path))
                continue
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = parent / f".{path.name}.quarantine-{stamp}"
        path.rename(target)
        log.warning("%s %s: quarantined %s as %s (unrecorded and not a complete version: %s); "
                    "version number %s is not reused", area, year, path, target.name,
                    "; ".join(check.problems), number)  # fmt: skip
        done.append(Recovered(number, "quarantined", target, tuple(check.problems)))
    return done
