"""The plain document repository (adapters/dbapi/repositories/documents.py) against its ORM twin
(adapters/sql/repositories/documents.py): the same calls on two fresh databases of one back end return
the same values and raise the same errors, and leave byte-identical rows behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import pytest

from journey.bootstrap import App
from journey.domain.document_jobs import DocumentJob
from journey.domain.errors import ConcurrentChangeError
from journey.ports.unit_of_work import UnitOfWork
from tests.conftest import NOW
from tests.plain_twins import run_twins, stored, twin_apps_fixture, umea_case  # noqa: F401  (the twin_apps fixture)

TABLES = ("document", "document_job")
CET = timezone(timedelta(hours=1))


def _document(case_id: int, municipality_id: int, revision: int, fmt: str, **extra: Any) -> dict[str, Any]:
    return {"case_id": case_id, "municipality_id": municipality_id, "state_path": "letter_of_intent",
            "doc_id": "avsiktsforklaring", "template": "avsiktsforklaring", "template_hash": "a" * 64,
            "input_hash": "b" * 64, "format": fmt, "path": f"/out/umeå/v{revision}.{fmt}", "revision": revision,
            "created_at": NOW + timedelta(microseconds=revision), **extra}


def _scenario(uow_factory: Callable[[], UnitOfWork]) -> list[Any]:
    """Every method of uow.documents, in the order the outbox uses them; what each returned or raised."""
    seen: list[Any] = []
    later, lease = NOW + timedelta(minutes=2), NOW + timedelta(minutes=5)
    with uow_factory() as uow:
        mid, cid = umea_case(uow, "letter_of_intent")
        d = uow.documents
        first = d.enqueue(DocumentJob(0, cid, (("letter_of_intent", "avsiktsforklaring"),), "ENTERED", "anna",
                                      NOW.astimezone(CET), 2, True))
        second = d.enqueue(DocumentJob(0, cid, (("letter_of_intent", "avsiktsforklaring"), ("x", "y")), "CORRECTED",
                                       "bo", NOW + timedelta(microseconds=7), 3, False))
        seen += [first, second, d.due_jobs(NOW, 10), d.due_jobs(NOW, 1), d.due_jobs(NOW, 10, cid + 1)]
        seen += [d.claim(first, "w1", NOW, lease), d.claim(first, "w2", NOW, lease), d.due_jobs(NOW, 10)]
        seen += [d.fail(first, "w2", "not mine", NOW), d.fail(first, "w1", "mallen: fel " + "x" * 2100, NOW)]
        seen += [d.claim(first, "w1", NOW, lease), d.claim(first, "w1", later, lease), d.finish(first, "w2", later),
                 d.finish(first, "w1", later), d.finish(first, "w1", later)]
        seen += [d.open_jobs(), d.open_jobs([cid]), d.open_jobs([]), d.open_jobs([cid + 1])]
        seen += [d.claim(second, "w1", NOW, lease), d.retry([]), d.retry([cid]), d.open_jobs(), d.retry()]
        seen += [d.next_revision(cid, "avsiktsforklaring"), d.next_revision(cid, "other")]
        seen += [d.add(_document(cid, mid, 1, "docx", title="Avsiktsförklaring", overridden=True, size=12,
                                 sha256="c" * 64, actor="anna")),
                 d.add(_document(cid, mid, 1, "html", reason="CORRECTED"))]
        seen += [d.next_revision(cid, "avsiktsforklaring"), d.for_case(cid), d.for_case(cid + 1)]
        uow.commit()
    with uow_factory() as uow:
        try:
            uow.documents.add(_document(cid, mid, 1, "docx"))
        except ConcurrentChangeError as exc:
            seen.append(str(exc))
    return seen


def test_the_plain_document_repository_does_what_the_orm_one_does(twin_apps: tuple[App, App],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    by_plain = run_twins(twin_apps, monkeypatch, {"documents": "SqlDocumentRepository"}, _scenario)
    assert by_plain[-1] == ("document avsiktsforklaring revision 1 was rendered by someone else at the same time; "
                            "nothing was saved, try again")
    orm, plain = twin_apps
    assert stored(plain, TABLES) == stored(orm, TABLES)
    assert len(stored(plain, TABLES)["document_job"]) == 2
