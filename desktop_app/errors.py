"""The office's coded errors, raised by services and report loaders alike.  They carry
codes, not sentences: the UI translates them (``ui/messages.py``), the command line
prints the English ``str()``.  A leaf module, outside the layers, so that every layer
may raise them."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    def __init__(self, code: str, message: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(message)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str
    message: str


class ValidationFailed(ServiceError):
    """A form with problems: every problem, each tied to the field to fix."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("validation_failed", "; ".join(f"{p.field}: {p.message}" for p in problems))
