"""Real Word footnotes for the draft's source citations (seed 003 has twenty).

python-docx 1.2 has no footnote API, so this module writes the footnotes part itself:
``word/footnotes.xml`` with Word's separator and continuation-separator footnotes (ids −1
and 0), its content type and the relationship from the document part, the FootnoteText /
FootnoteReference styles when the template lacks them, and ``w:footnoteReference`` runs
in the body. Word and LibreOffice number footnotes by the order of their references, so
the ids only have to be unique.

Each source gets one footnote, at the first sentence or table caption that cites one of
its figures (:func:`cite`). The footnote's wording is a Jinja template and the sources'
publisher, title and address are data (``outputs/templates/kallor.yaml``); its date is the
raw file's retrieval date, the one Källor prints, never the run date.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from docx.document import Document as DocumentObject
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from lagesbild.errors import InputError
from outputs.text.sentences import Sentences

__all__ = [
    "KALLOR_FILE",
    "Footnotes",
    "SourceMeta",
    "attach",
    "cite",
    "footnote_texts",
    "load_source_meta",
]

KALLOR_FILE = Path(__file__).resolve().parents[3] / "templates" / "kallor.yaml"
REFERENCE_STYLE = "FootnoteReference"
TEXT_STYLE = "FootnoteText"
_ATTRIBUTE = "_lagesbild_footnotes"

# A template's own footnotes part is read as XML (not as an opaque blob) so that the
# draft's footnotes can be added to it.
PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, XmlPart)

_EMPTY_PART = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)
_STYLES = {
    TEXT_STYLE: (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{TEXT_STYLE}">'
        '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>'
        '<w:unhideWhenUsed/><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" '
        'w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>'
        "</w:style>"
    ),
    REFERENCE_STYLE: (
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="{REFERENCE_STYLE}">'
        '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
        '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    ),
}


@dataclass(frozen=True)
class SourceMeta:
    """Who publishes a source and where a reader finds it (``kallor.yaml``)."""

    publisher: str
    title: str
    detail: str = ""
    address: str = ""


def load_source_meta(path: Path = KALLOR_FILE) -> tuple[dict[str, SourceMeta], Sentences]:
    """The sources' metadata and the footnote wording of ``path``.

    Raises:
        InputError: the file lacks ``sources`` or ``footnote``, or an entry lacks its
            publisher or title (names the file and the key).
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    entries = raw.get("sources") if isinstance(raw, Mapping) else None
    if not isinstance(entries, Mapping) or not raw.get("footnote"):
        raise InputError("expected 'sources' (a mapping) and 'footnote' (a template)",
                         file=path)  # fmt: skip
    meta: dict[str, SourceMeta] = {}
    for key, entry in entries.items():
        if not isinstance(entry, Mapping) or not entry.get("publisher") or not entry.get("title"):
            raise InputError("each source needs 'publisher' and 'title'", file=path,
                             column=f"sources.{key}")  # fmt: skip
        meta[str(key)] = SourceMeta(str(entry["publisher"]), str(entry["title"]),
                                    str(entry.get("detail") or ""),
                                    str(entry.get("address") or ""))  # fmt: skip
    return meta, Sentences({"footnote": [str(raw["footnote"])]}, source=Path(path))


def footnote_texts(sources: Iterable[object], path: Path = KALLOR_FILE) -> dict[str, str]:
    """Source key → its footnote text, for every source of the draft's Källor.

    Args:
        sources: the draft's ``SourceUsed`` entries (``key``, ``year``, ``retrieved_at``).
            A source whose key ``kallor.yaml`` does not know gets no footnote.
        path: the metadata and wording file.
    """
    meta, words = load_source_meta(path)
    texts: dict[str, str] = {}
    for source in sources:
        key = str(getattr(source, "key", "") or "")
        if key not in meta or key in texts:
            continue
        retrieved = getattr(source, "retrieved_at", None)
        entry = meta[key]
        when = retrieved.date().isoformat() if isinstance(retrieved, dt.datetime) else ""
        texts[key] = words.say(
            "footnote", label=getattr(source, "label", ""), publisher=entry.publisher,
            title=entry.title, year=getattr(source, "year", None), detail=entry.detail,
            address=entry.address, retrieved=when,
        )  # fmt: skip
    return texts


class Footnotes:
    """The footnotes part of one document; adds footnotes and their references."""

    def __init__(self, document: DocumentObject, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)
        #: source key → footnote id, in the order the sources were first cited.
        self.cited: dict[str, int] = {}
        self._root = _footnotes_part(document).element
        _ensure_styles(document)
        ids = [int(n.get(qn("w:id"))) for n in self._root.findall(qn("w:footnote"))]
        self._next = max([0, *ids]) + 1

    def add(self, paragraph: Paragraph, text: str) -> int:
        """A footnote with ``text``, referenced at the end of ``paragraph``; its id."""
        number = self._next
        self._next += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{number}"><w:p><w:pPr>'
            f'<w:pStyle w:val="{TEXT_STYLE}"/></w:pPr><w:r><w:rPr>'
            f'<w:rStyle w:val="{REFERENCE_STYLE}"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
        )
        note.findall(f".//{qn('w:t')}")[0].text = f" {text}"
        self._root.append(note)
        run = parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{REFERENCE_STYLE}"/></w:rPr>'
            f'<w:footnoteReference w:id="{number}"/></w:r>'
        )
        paragraph._p.append(run)
        return number

    def cite(self, paragraph: Paragraph, key: str) -> int | None:
        """Footnote source ``key`` at ``paragraph`` if this is its first citation.

        Returns:
            The new footnote's id, or None (already cited, or no text for the key).
        """
        if key in self.cited or key not in self.texts:
            return None
        self.cited[key] = self.add(paragraph, self.texts[key])
        return self.cited[key]


def attach(document: DocumentObject, texts: Mapping[str, str]) -> Footnotes:
    """Give ``document`` its footnotes; :func:`cite` then writes them."""
    notes = Footnotes(document, texts)
    setattr(document, _ATTRIBUTE, notes)
    return notes


def cite(document: DocumentObject, paragraph: Paragraph | None, *keys: str) -> None:
    """Footnote each source of ``keys`` not cited before at ``paragraph``.

    A no-op for a document without :func:`attach` (a table written on its own in a test)
    or without a paragraph.
    """
    notes: Footnotes | None = getattr(document, _ATTRIBUTE, None)
    if notes is None or paragraph is None:
        return
    for key in keys:
        notes.cite(paragraph, key)


def _footnotes_part(document: DocumentObject) -> XmlPart:
    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            target = rel.target_part
            if isinstance(target, XmlPart):
                return target
            # Loaded before this module registered the part class: read its bytes.
            xml_part = XmlPart(target.partname, target.content_type, parse_xml(target.blob),
                               target.package)  # fmt: skip
            rel._target = xml_part
            return xml_part
    new = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_EMPTY_PART),
                  part.package)  # fmt: skip
    part.relate_to(new, RT.FOOTNOTES)
    return new


def _ensure_styles(document: DocumentObject) -> None:
    styles = document.styles.element
    have = {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}
    for style_id, xml in _STYLES.items():
        if style_id not in have:
            styles.append(copy.deepcopy(parse_xml(xml)))
