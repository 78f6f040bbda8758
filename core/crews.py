"""The park's work crews, as the nursery's forms and services see them.

Crews are kept by the workforce app (Workforce › Crews); the nursery records which crew
made a planting but imports nothing from the workforce app (the workforce app imports
the nursery). So the workforce app registers where the crews' names come from, at
start-up, and the nursery asks here. A planting names its crew by the crew's name, which
the crew's-day form matches to record the crew's work against the planting.
"""

from collections.abc import Callable, Iterable

_source: Callable[[], Iterable[str]] | None = None


def register_crew_source(source: Callable[[], Iterable[str]]) -> None:
    """Name the function that lists the crews' names (the workforce app does, in ``ready``)."""
    global _source
    _source = source


def crew_names() -> list[str]:
    """The names of the park's crews, in their list's order; empty when no crews are kept."""
    return list(_source()) if _source is not None else []


def crew_choices(empty_label: str) -> list[tuple[str, str]]:
    """Choices for a form: no crew, then each crew by name."""
    return [("", empty_label), *((name, name) for name in crew_names())]
