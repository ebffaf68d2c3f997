"""``journey templates check``: every template a workflow names exists and renders, in every format.

Each declared document is rendered twice, with sample evidence for every field (as after all
steps) and with none (as on the day its state is entered), for the default templates and for
each municipality that overrides templates. Templates in ``documents/`` that no workflow names
are checked too, so a new template is tested before a workflow uses it; as no workflow says
what evidence they see, their failures are warnings (``used`` is false), not failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.document import FORMATS, check_formats
from journey.domain.errors import NotFoundError, TemplateError
from journey.domain.messages import msg
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec
from journey.ports.documents import DocumentTools
from journey.services.deals.documents import DEAL_DOCUMENTS, sample_deals, with_deal
from journey.services.documents.context import build_context, open_sample, sample_history, sample_matters
from journey.services.hours.report import sample_report


@dataclass(frozen=True)
class CheckResult:
    workflow: str
    state: str
    document: str
    template: str
    municipality: str  # override slug, "" for the defaults
    error: str = ""
    source: str = ""
    used: bool = True  # a workflow names the template (else it is checked against the first workflow's data)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def failed(self) -> bool:
        """A failure that counts: a template some workflow uses does not render."""
        return bool(self.error) and self.used


def _items(registry: WorkflowCatalog, extra: list[str]) -> list[tuple[WorkflowSpec, StateSpec, DocumentSpec]]:
    items = [(spec, state, doc) for spec in registry.all() for state in spec.all_states() for doc in state.documents]
    named = {doc.template for _, _, doc in items}  # unused templates follow the used ones (see check_templates)
    specs = registry.all()
    if specs:
        for name in extra:
            if name not in named:
                items.append((specs[0], specs[0].states[0], DocumentSpec(name, name)))
    return items


def check_templates(registry: WorkflowCatalog, tools: DocumentTools, now: datetime, templates: list[str],
                    municipality: str | None = None) -> list[CheckResult]:
    """One result per (declared document, override set); ``templates`` are all default template names."""
    items = _items(registry, templates)
    used = len([doc for spec in registry.all() for state in spec.all_states() for doc in state.documents])
    overrides = list(tools.renderer.overrides())
    if municipality and municipality not in overrides:
        known = ", ".join(overrides) or msg("none yet")
        raise NotFoundError(msg("no template overrides for {municipality!r} in templates/municipalities/ "
                                "(known: {known})", municipality=municipality, known=known))
    slugs = [municipality] if municipality else [None, *overrides]
    results: list[CheckResult] = []
    for slug in slugs:
        person = {"name": "Exempelby", "code": "0000", "county": "Exempel län", "slug": slug or "exempelby"}
        jobs: list[tuple[str, dict[str, Any]]] = []
        for spec, state, doc in items:
            for history in (sample_history(spec, now), []):
                matters = open_sample(sample_matters(spec, now, full=bool(history)), state)
                jobs.append((doc.template, build_context(spec=spec, state=state, doc=doc, municipality=person,
                                                         case_state=state.path, opened_at=now, history=history,
                                                         now=now, matters=matters,
                                                         esf=sample_report(now.date()) if history else None)))
        deal_items = _deal_items(registry, now, person)
        jobs += [(doc.template, context) for _, _, doc, context in deal_items]
        outcomes = tools.renderer.render(jobs, slug, strict=False) if jobs else []
        for i, (spec, state, doc) in enumerate(items):
            pair = outcomes[2 * i: 2 * i + 2]
            error = next((str(o) for o in pair if isinstance(o, Exception)), "")
            if not error:
                error = _convert(tools, pair[0].html, spec, state, doc)
            source = "" if error else pair[0].path
            results.append(CheckResult(spec.key, state.path, doc.id, doc.template, slug or "", error, source, i < used))
        for j, (spec, state, doc, _context) in enumerate(deal_items):
            outcome = outcomes[2 * len(items) + j]
            error = str(outcome) if isinstance(outcome, Exception) else _convert(tools, outcome.html, spec, state, doc)
            results.append(CheckResult("deals register", "", doc.id, doc.template, slug or "", error,
                                       "" if error else outcome.path, True))
    return results


def _deal_items(registry: WorkflowCatalog, now: datetime, person: dict[str, Any]) -> list[
        tuple[WorkflowSpec, StateSpec, DocumentSpec, dict[str, Any]]]:
    """Each template a deal renders (journey deals), with a full sample deal and a bare planned one."""
    specs = registry.all()
    if not specs:
        return []
    spec, items = specs[0], []
    for form, documents in DEAL_DOCUMENTS.items():
        for template, name in documents:
            for deal in sample_deals(form, now.date()):
                doc = DocumentSpec(f"deal{deal.number}_{template}", template, (("title", name),))
                context = build_context(spec=spec, state=spec.states[0], doc=doc, municipality=person,
                                        case_state=spec.initial, opened_at=now, history=[], now=now)
                items.append((spec, spec.states[0], doc, with_deal(context, deal, [])))
    return items


def _convert(tools: DocumentTools, html: str, spec: WorkflowSpec, state: StateSpec, doc: DocumentSpec) -> str:
    fmt = ""
    try:
        check_formats(doc.get("formats"), f"{spec.key} {state.path} document {doc.id}")
        for fmt in FORMATS:
            tools.writers[fmt](html, {"title": doc.id, "subject": "check", "comments": "", "created": None})
    except TemplateError as exc:
        return str(exc)
    except Exception as exc:  # a writer failing on rendered HTML is a template problem to report, not a crash
        return f"{doc.template}: could not convert to {fmt}: {type(exc).__name__}: {exc}"
    return ""
