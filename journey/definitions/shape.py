"""Shape checks on raw workflow YAML, and conversion to frozen specs.

Every problem becomes a :class:`DefinitionError` naming file, line and dotted key; all
problems in a file are collected before anything is raised.
"""

from __future__ import annotations

import re
from typing import Any

from journey.definitions._yaml import LineDict, LineList
from journey.domain import limits
from journey.domain.deadlines import parse_duration
from journey.domain.errors import DefinitionError
from journey.domain.evidence import FIELD_TYPES
from journey.domain.labels import fold
from journey.domain.messages import msg
from journey.domain.reminders import rule_problems
from journey.domain.spec import (
    DocumentSpec,
    EvidenceFieldSpec,
    EvidenceSpec,
    MatterSpec,
    ReminderSpec,
    StateSpec,
    TransitionSpec,
    WorkflowSpec,
)

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
TOP_KEYS = {"workflow", "version", "title", "description", "initial", "evidence", "states", "transitions", "extends",
            "migrations"}
VARIANT_KEYS = TOP_KEYS | {"remove_states", "remove_transitions"}
STATE_KEYS = {"id", "title", "description", "handbook_stage", "final", "parallel", "reminders", "documents", "matter",
              "expected_duration"}
MATTER_KEYS = {"title", "bodies", "decides", "decision", "on_avslag", "prepared_by", "optional"}
BOARD_CODE = re.compile(r"^[\wÅÄÖåäö][\wÅÄÖåäö .&-]{0,39}$")
REGION_KEYS = {"id", "title", "description", "initial", "states"}
LEAF_KEYS = {"id", "title", "description", "final", "reminders", "documents"}
TRANSITION_KEYS = {"trigger", "source", "dest", "title", "guards"}
FIELD_KEYS = {"type", "label", "required", "min", "choices", "future"}


class Problems:
    """Collects errors for one file."""

    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []

    def add(self, node: Any, key: str, message: str, field: str | None = None) -> None:
        file = getattr(node, "file", "")
        line = node.line_of(field) if isinstance(node, LineDict) and field is not None else getattr(node, "line", None)
        self.errors.append(DefinitionError(message, file=file, line=line, key=key))


def _mapping(node: Any, key: str, problems: Problems, allowed: set[str], parent: Any = None) -> bool:
    if not isinstance(node, dict):
        problems.add(parent if parent is not None else node, key, msg("must be a mapping"))
        return False
    for k in node:
        if k not in allowed:
            problems.add(node, f"{key}.{k}" if key else str(k), msg("unknown key (allowed: {allowed})",
                allowed=', '.join(sorted(allowed))), k)
    return True


def _text(node: dict[Any, Any], field: str, key: str, problems: Problems, required: bool = False, default: str = "") -> str:
    value = node.get(field)
    if value is None:
        if required:
            problems.add(node, f"{key}.{field}" if key else field, msg("is required"))
        return default
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.add(node, f"{key}.{field}" if key else field, msg("must be text"), field)
        return default
    return str(value)


def _ident(node: LineDict, field: str, key: str, problems: Problems) -> str:
    value = _text(node, field, key, problems, required=True)
    if value and not IDENT.match(value):
        problems.add(node, f"{key}.{field}", msg("{value!r} must be snake_case (a-z, 0-9, _)", value=value), field)
    _length(node, f"{key}.{field}", value, limits.IDENTIFIER, problems, field)
    return value


def _length(node: Any, key: str, value: str, limit: int, problems: Problems, field: str | None = None) -> None:
    """Stored values have the same length limit on every database (see journey.domain.limits)."""
    if len(value) > limit:
        problems.add(node, key, msg("is {count} characters long; at most {limit} are allowed",
            count=len(value), limit=limit), field)


def _list(node: Any, key: str, problems: Problems, parent: LineDict | None = None, field: str = "") -> list[Any]:
    if node is None:
        return []
    if not isinstance(node, list):
        problems.add(parent if parent is not None else node, key, msg("must be a list"), field or None)
        return []
    return node


def _settings(node: dict[Any, Any], skip: set[str]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, _freeze(v)) for k, v in node.items() if k not in skip)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def build_evidence(raw: Any, problems: Problems) -> tuple[EvidenceSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.add(raw, "evidence", msg("must be a mapping of evidence kinds"))
        return ()
    kinds = []
    for name, body in raw.items():
        key = f"evidence.{name}"
        if not IDENT.match(str(name)):
            problems.add(raw, key, msg("evidence kind names must be snake_case"), name)
        if not _mapping(body, key, problems, {"title", "fields"}, raw):
            continue
        fields_raw = body.get("fields")
        if not isinstance(fields_raw, dict) or not fields_raw:
            problems.add(body, f"{key}.fields", msg("must be a non-empty mapping of fields"), "fields")
            continue
        fields = []
        for fname, fbody in fields_raw.items():
            fkey = f"{key}.fields.{fname}"
            if not _mapping(fbody, fkey, problems, FIELD_KEYS, fields_raw):
                continue
            ftype = _text(fbody, "type", fkey, problems, default="text")
            if ftype not in FIELD_TYPES:
                problems.add(fbody, f"{fkey}.type", msg("unknown type {ftype!r} (known: {field_types})",
                    ftype=ftype, field_types=', '.join(FIELD_TYPES)), "type")
            _field_options(fbody, fkey, ftype, problems)
            required = fbody.get("required", True)
            if not isinstance(required, bool):
                problems.add(fbody, f"{fkey}.required", msg("must be true or false"), "required")
            options = tuple((k, _freeze(fbody[k])) for k in ("min", "future") if k in fbody) + _choice_options(fbody)
            fields.append(EvidenceFieldSpec(str(fname), ftype, _text(fbody, "label", fkey, problems), bool(required),
                                            options))
        kinds.append(EvidenceSpec(str(name), _text(body, "title", key, problems, default=str(name)), tuple(fields)))
    return tuple(kinds)


def _choice_options(fbody: LineDict) -> tuple[tuple[str, Any], ...]:
    """``choices`` as a list of ids, or a mapping id -> Swedish label (``{iop: IOP, ...}``)."""
    choices = fbody.get("choices")
    if isinstance(choices, dict):
        return (("choices", tuple(choices)), ("choice_labels", tuple((k, v) for k, v in choices.items())))
    return (("choices", _freeze(choices)),) if "choices" in fbody else ()


def _same_choices(fbody: LineDict, fkey: str, choices: Any, problems: Problems) -> None:
    """Choices are typed as ids or labels in any case: two choices must not read the same."""
    seen: dict[str, str] = {}
    for choice in choices:
        words = {fold(choice)} | ({fold(choices[choice])} if isinstance(choices, dict) else set())
        for word in words:
            if seen.setdefault(word, choice) != choice:
                problems.add(fbody, f"{fkey}.choices", msg("choices {first!r} and {second!r} both read {word!r} "
                                                           "(ids and labels are compared in any case)",
                                                           first=seen[word], second=choice, word=word), "choices")
                return


def _field_options(fbody: LineDict, fkey: str, ftype: str, problems: Problems) -> None:
    """``choices`` are text (YAML reads an unquoted yes, no, ja or nej as true/false), ``min`` a whole number."""
    choices = fbody.get("choices")
    if ftype == "choice" and not isinstance(choices, list | dict):
        problems.add(fbody, f"{fkey}.choices", msg("a choice field needs a list of choices"), "choices")
    elif isinstance(choices, list | dict):
        odd = [c for c in (list(choices) + list(choices.values()) if isinstance(choices, dict) else choices)
               if not isinstance(c, str)]
        if not choices:
            problems.add(fbody, f"{fkey}.choices", msg("needs at least one choice"), "choices")
        elif odd:
            kind = "true/false" if isinstance(odd[0], bool) else type(odd[0]).__name__
            problems.add(fbody, f"{fkey}.choices", msg("every choice must be text, but YAML reads {value!r} as "
                                                       "{kind} (unquoted yes, no, on, off, numbers): put each choice in "
                                                       "quotes", value=odd[0], kind=kind), "choices")
        else:
            _same_choices(fbody, fkey, choices, problems)
    minimum = fbody.get("min")
    if minimum is not None and (not isinstance(minimum, int) or isinstance(minimum, bool)):
        problems.add(fbody, f"{fkey}.min", msg("must be a whole number"), "min")
    future = fbody.get("future")
    if future is not None and (not isinstance(future, bool) or ftype != "date"):
        problems.add(fbody, f"{fkey}.future", msg("must be true or false, on a date field"), "future")


def _items(raw: Any, key: str, problems: Problems, cls: type, parent: LineDict) -> tuple[Any, ...]:
    result: list[Any] = []
    for i, item in enumerate(_list(raw, key, problems, parent, key.rsplit(".", 1)[-1])):
        ikey = f"{key}[{i}]"
        if not isinstance(item, dict) or "id" not in item:
            problems.add(item if isinstance(item, dict) else raw, ikey, msg("must be a mapping with an id"))
            continue
        bounds = {"id": limits.IDENTIFIER, "template": limits.IDENTIFIER}
        if cls is DocumentSpec:
            template = _text(item, "template", ikey, problems, required=True)
            result.append(DocumentSpec(str(item["id"]), template, _settings(item, {"id", "template"})))
            bounds["title"] = limits.DOCUMENT_TITLE
        else:
            for name, message in rule_problems(dict(item)):
                problems.add(item, f"{ikey}.{name}", message, name if name in item else None)
            result.append(ReminderSpec(str(item["id"]), _settings(item, {"id"})))
            bounds |= {"title": limits.REMINDER_TITLE, "subject": limits.REMINDER_SUBJECT}
        for name, limit in bounds.items():
            if isinstance(item.get(name), str):
                _length(item, f"{ikey}.{name}", item[name], limit, problems, name)
    return tuple(result)


def _leaf(raw: Any, prefix: str, key: str, problems: Problems, kind: str) -> StateSpec | None:
    allowed = STATE_KEYS if kind == "stage" else LEAF_KEYS
    if not _mapping(raw, key, problems, allowed):
        return None
    ident = _ident(raw, "id", key, problems)
    final = raw.get("final", False)
    if not isinstance(final, bool):
        problems.add(raw, f"{key}.final", msg("must be true or false"), "final")
    path = f"{prefix}{ident}"
    if prefix and 0 < len(ident) <= limits.IDENTIFIER:
        _length(raw, f"{key}.id", path, limits.IDENTIFIER, problems, "id")
    children: tuple[StateSpec, ...] = ()
    if kind == "stage" and raw.get("parallel") is not None:
        kind = "parallel"
        children = tuple(reg for i, r in enumerate(_list(raw["parallel"], f"{key}.parallel", problems, raw, "parallel"))
                         if (reg := _region(r, path + ".", f"{key}.parallel[{i}]", problems)) is not None)
        if not children:
            problems.add(raw, f"{key}.parallel", msg("needs at least one region"), "parallel")
        longest = sum(max((len(leaf.path) for leaf in region.children), default=0) + 1 for region in children)
        if longest - 1 > limits.CASE_STATE:
            problems.add(raw, f"{key}.parallel", msg("a case in this stage may be in a state {value} characters "
                                                     "long (its leaves joined by commas); at most {case_state}: use "
                                                     "shorter ids", value=longest - 1, case_state=limits.CASE_STATE),
                         "parallel")
    return StateSpec(
        path=path,
        title=_text(raw, "title", key, problems, default=ident),
        kind=kind,
        final=bool(final),
        handbook_stage=_text(raw, "handbook_stage", key, problems),
        description=_text(raw, "description", key, problems),
        children=children,
        reminders=_items(raw.get("reminders"), f"{key}.reminders", problems, ReminderSpec, raw),
        documents=_items(raw.get("documents"), f"{key}.documents", problems, DocumentSpec, raw),
        line=raw.line,
        matter=_matter(raw.get("matter"), f"{key}.matter", problems, raw) if "matter" in raw else None,
        expected_days=_duration(raw, key, problems),
    )


def _duration(raw: Any, key: str, problems: Problems) -> int | None:
    """``expected_duration: 90d`` (or ``12w``, ``90``): days in the stage before the case is overdue."""
    if "expected_duration" not in raw:
        return None
    try:
        return parse_duration(raw["expected_duration"])
    except ValueError as exc:
        problems.add(raw, f"{key}.expected_duration", str(exc), "expected_duration")
        return None


def _matter(raw: Any, key: str, problems: Problems, parent: LineDict) -> MatterSpec | None:
    """``matter: {title, bodies: [responsible, KS, KF], decides: TRIGGER, on_avslag: TRIGGER, ...}``."""
    if not _mapping(raw, key, problems, MATTER_KEYS, parent):
        return None
    bodies = raw.get("bodies")
    if not isinstance(bodies, list) or not bodies or not all(isinstance(b, str) and BOARD_CODE.match(b) for b in bodies):
        problems.add(raw, f"{key}.bodies", msg("must be a non-empty list of board codes in deciding order (e.g. "
                                               "[responsible, KS, KF]; 'responsible' is the responsible board)"),
                     "bodies" if "bodies" in raw else None)
        bodies = []
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        problems.add(raw, f"{key}.optional", msg("must be true or false"), "optional")
    decides = _text(raw, "decides", key, problems, required=True)
    on_avslag = _text(raw, "on_avslag", key, problems)
    for name, value in (("decides", decides), ("on_avslag", on_avslag)):
        if value and not IDENT.match(value):
            problems.add(raw, f"{key}.{name}", msg("{value!r} must be a trigger name (snake_case)", value=value), name)
    return MatterSpec(title=_text(raw, "title", key, problems, required=True), bodies=tuple(bodies), decides=decides,
                      decision=_text(raw, "decision", key, problems, default="board_decision"), on_avslag=on_avslag,
                      prepared_by=_text(raw, "prepared_by", key, problems, default="coordinator"),
                      optional=bool(optional), line=raw.line)


def _region(raw: Any, prefix: str, key: str, problems: Problems) -> StateSpec | None:
    if not _mapping(raw, key, problems, REGION_KEYS):
        return None
    ident = _ident(raw, "id", key, problems)
    path = f"{prefix}{ident}"
    leaves = tuple(lf for i, s in enumerate(_list(raw.get("states"), f"{key}.states", problems, raw, "states"))
                   if (lf := _leaf(s, path + ".", f"{key}.states[{i}]", problems, "leaf")) is not None)
    if not leaves:
        problems.add(raw, f"{key}.states", msg("a region needs at least one state"), "states")
    initial = _text(raw, "initial", key, problems, default=leaves[0].id if leaves else "")
    if leaves and initial not in {s.id for s in leaves}:
        problems.add(raw, f"{key}.initial", msg("{initial!r} is not a state of this region", initial=initial), "initial")
    if leaves and not any(s.final for s in leaves):
        problems.add(raw, f"{key}.states", msg("a region needs a final state (final: true)"), "states")
    return StateSpec(path=path, title=_text(raw, "title", key, problems, default=ident), kind="region",
                     description=_text(raw, "description", key, problems), initial=f"{path}.{initial}",
                     children=leaves, line=raw.line)


def _transitions(raw: Any, problems: Problems, parent: LineDict) -> tuple[TransitionSpec, ...]:
    result = []
    for i, item in enumerate(_list(raw, "transitions", problems, parent, "transitions")):
        key = f"transitions[{i}]"
        if not _mapping(item, key, problems, TRANSITION_KEYS, raw):
            continue
        trigger = _ident(item, "trigger", key, problems)
        key = f"transitions[{trigger or i}]"
        dest = _text(item, "dest", key, problems, required=True)
        if "dest" in item and not dest:
            problems.add(item, f"{key}.dest", msg("must not be empty"), "dest")
        sources = item.get("source")
        if sources is None:
            problems.add(item, f"{key}.source", msg("is required"))
            continue
        sources = sources if isinstance(sources, list) else [sources]
        guards = item.get("guards") or []
        if not isinstance(guards, list) or not all(isinstance(g, str) for g in guards):
            problems.add(item, f"{key}.guards", msg("must be a list of guard names"), "guards")
            guards = []
        for source in sources:
            result.append(TransitionSpec(trigger, str(source), dest, _text(item, "title", key, problems),
                                         tuple(guards), item.line_of("trigger")))
    return tuple(result)


def build_spec(raw: Any, problems: Problems, source_file: str = "") -> WorkflowSpec | None:
    """Convert a merged raw definition into a spec; shape errors are recorded in ``problems``."""
    if not _mapping(raw, "", problems, TOP_KEYS):
        return None
    name = _text(raw, "workflow", "", problems, required=True)
    if name and not NAME.match(name):
        problems.add(raw, "workflow", msg("{name!r} must be lower-case letters, digits, '_' or '-'", name=name), "workflow")
    _length(raw, "workflow", name, limits.IDENTIFIER, problems, "workflow")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.add(raw, "version", msg("must be a whole number of 1 or more"), "version")
        version = 0
    states = tuple(st for i, s in enumerate(_list(raw.get("states"), "states", problems, raw, "states"))
                   if (st := _leaf(s, "", f"states[{i}]", problems, "stage")) is not None)
    if not states:
        problems.add(raw, "states", msg("at least one state is required"), "states")
    migrations = _migrations(raw, version, states, problems)
    return WorkflowSpec(
        name=name,
        version=version,
        title=_text(raw, "title", "", problems, default=name),
        description=_text(raw, "description", "", problems),
        initial=_text(raw, "initial", "", problems, required=True),
        states=states,
        transitions=_transitions(raw.get("transitions"), problems, raw),
        evidence=build_evidence(raw.get("evidence"), problems),
        extends=_text(raw, "extends", "", problems),
        source_file=source_file,
        migrations=migrations,
    )


def _migrations(raw: LineDict, version: int, states: tuple[StateSpec, ...],
                problems: Problems) -> tuple[tuple[str, Any], ...]:
    """``migrations: {from: N, states: {old.path: new.path}}`` -> (("from", N), ("states", ((old, new, line), ...))).

    New paths must be states of this workflow; old paths are checked against version ``from``
    when cases are planned (see journey.domain.case_migration).
    """
    node = raw.get("migrations")
    if node is None:
        return ()
    if not _mapping(node, "migrations", problems, {"from", "states"}, raw):
        return ()
    source = node.get("from", version - 1)
    if not isinstance(source, int) or isinstance(source, bool) or not 1 <= source < version:
        problems.add(node, "migrations.from", f"must be an earlier version of this workflow (1 to {version - 1})"
                     if version > 1 else "version 1 has no earlier version to migrate from", "from")
        source = max(version - 1, 1)
    mapping = node.get("states") or {}
    if not isinstance(mapping, dict):
        problems.add(node, "migrations.states", msg("must be a mapping of old state path: new state path"), "states")
        mapping = {}
    known: dict[str, StateSpec] = {}
    todo = list(states)
    while todo:
        state = todo.pop()
        known[state.path] = state
        todo.extend(state.children)
    pairs = []
    for old, new in mapping.items():
        key = f"migrations.states.{old}"
        if not all(IDENT.match(part) for part in str(old).split(".")):
            problems.add(mapping, key, msg("must be a dotted state path of snake_case ids"), old)
            continue
        if not isinstance(new, str) or new not in known:
            problems.add(mapping, key, msg("maps to {new!r}, which is not a state of this workflow", new=new), old)
            continue
        if known[new].kind == "region":
            problems.add(mapping, key, msg("{new!r} is a region; map to one of its states", new=new), old)
            continue
        pairs.append((str(old), new, mapping.line_of(old) if isinstance(mapping, LineDict) else None))
    return (("from", source), ("states", tuple(pairs)))


def is_list(node: Any) -> bool:
    return isinstance(node, LineList | list)
