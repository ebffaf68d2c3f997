"""Workflow definitions: YAML files -> validated, frozen :class:`~journey.domain.spec.WorkflowSpec`."""
