"""Download a registered document: only by its file name within the municipality's own register.

A name is never joined to a path: it is looked up among the register's rows of the case, and
the stored path is read through :class:`journey.ports.downloads.DocumentFiles`, which refuses
anything outside the output directory. The bytes must still match the registered SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from journey.domain.access import Action, authorize
from journey.domain.errors import ConcurrentChangeError, InputError, NotFoundError
from journey.domain.messages import msg
from journey.ports.core import ReadModel
from journey.ports.downloads import DocumentFiles
from journey.services.actors import match_municipality
from journey.services.cases.views import reader
from journey.services.documents.views import DocumentQuery
from journey.services.monitoring.live import file_name

_NAME = re.compile(r"^[\w][\w .,()+-]{0,250}\.(docx|html|md)$")
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@dataclass(frozen=True)
class DocumentFile:
    name: str
    media_type: str
    data: bytes
    sha256: str


def document_file(read: ReadModel, query: DocumentQuery, files: DocumentFiles, username: str | None,
                  municipality: str, name: str) -> DocumentFile:
    if not _NAME.match(name) or ".." in name:
        raise InputError(msg("{name!r} is not a document file name", name=name))
    actor = reader(read, username)
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    cases = read.cases(m["id"])
    if not cases:
        raise NotFoundError(msg("{name} has no case yet", name=m['name']))
    row = next((r for r in reversed(query(read, cases[0]["id"])) if file_name(r["path"]) == name), None)
    if row is None:
        raise NotFoundError(msg("{name} has no document {name2!r}", name=m['name'], name2=name))
    data = files.read(row["path"])
    if row.get("sha256") and hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ConcurrentChangeError(msg("{name} was changed on disk after it was registered; it is not served",
            name=name))
    return DocumentFile(name, MEDIA_TYPES.get(row["format"], "application/octet-stream"), data, row.get("sha256") or "")
