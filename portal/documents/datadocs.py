"""Serving a version's GX Data Docs from the portal, with no external URL left in them.

GX writes its pages with stylesheets, scripts, fonts and images from public CDNs; offline
(or under the portal's Content-Security-Policy) they must not load. Every HTML page is
rewritten on the way out: ``<script src="http…">`` and ``<link href="http…">`` are dropped,
external images and links lose their address (the link text stays), and a local
stylesheet (``/static/datadocs.css``) makes the tables readable. Files are served only from
the version's own ``data_docs`` folder.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["EXTERNAL", "local_html", "resolve_doc"]

EXTERNAL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""", re.IGNORECASE)
_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I | re.S
)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc)[^>]*>.*?</script>", re.I | re.S)
_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
_ATTR = re.compile(r"""\b(href|src|action)\s*=\s*(["'])(?:https?:)?//[^"']*\2""", re.I)
_STYLE = '<link rel="stylesheet" href="/static/datadocs.css">'


def local_html(text: str) -> str:
    """The page with every external reference removed (see the module docstring)."""
    text = _SCRIPT.sub("", text)
    text = _INLINE_SCRIPT.sub("", text)  # they need the CDN libraries (and CSP blocks them)
    text = _LINK.sub("", text)
    text = _ATTR.sub(lambda m: f'data-external-{m.group(1).lower()}=""', text)
    text = EXTERNAL.sub("", text)  # anything left (CSS url(), text): no address at all
    head = re.search(r"<head[^>]*>", text, re.I)
    if head:
        return text[: head.end()] + _STYLE + text[head.end() :]
    return _STYLE + text


def resolve_doc(directory: Path, relative: str) -> Path | None:
    """The file ``relative`` under ``directory/data_docs``, or None when outside or absent."""
    root = (Path(directory) / "data_docs").resolve()
    target = (root / (relative or "index.html")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target
