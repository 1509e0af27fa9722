"""The demo world, as steps that each app declares in its own `demo` module.

`juli demo` (and `juli serve` on an empty database) runs every registered step once, in
dependency order. An app declares its step in its `demo.py` (or `demo/__init__.py`):

    from juli.core.demo import DemoRun, demo_step

    @demo_step("rankings", after=("cases",))
    def build_rankings_demo(run: DemoRun) -> dict[str, int]:
        return build_demo(stdout=run.stdout)

A step is a callable `(run) -> dict` that writes that app's part of the world through its
actions and returns counts of what it made (`{"rankings": 4}`); two optional keys are taken
out of the counts: `seconds` (the time the step measured itself; otherwise the command
measures it) and `logins` (accounts it made, as `(username, description)`, when they are only
known once built). `run` carries the command's options (`people`, `days`) and `stdout`, where
a step writes its progress (None unless `-v 2`).

Options of `demo_step(name, *, after=(), logins=(), headline="", base=False, empty=None)`:

- `after`: the steps that must have run before this one. Steps run in topological order; among
  the steps ready at a time, the one whose app comes first in INSTALLED_APPS (then the one
  declared first) runs first, so the order is stable. An unknown name or a cycle raises
  ImproperlyConfigured.
- `logins`: the demo accounts the step creates, as `(username, description)`, in the order
  `juli serve` prints them (`logins()` gives every step's, in step order).
- `headline`: the line `juli demo` prints after the step, always, formatted with `seconds`,
  `summary` (the counts as "name n, …"), `people` and `days`. Without one, the command prints
  "<module>: <summary> (<seconds> s)." unless run with `-v 0`.
- `base`: the step is part of the world that `--no-cases` still builds (the organisations);
  every step it comes after must be a base step too.
- `empty`: a function telling whether the database is free for the demo; `juli demo` builds
  only when every step that gives one says so.

Nobody imports the `demo` modules: `steps()` runs `autodiscover_modules("demo")` once.
Declaring the same step twice (the same function) is fine; another step under a name already
taken raises ImproperlyConfigured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from .discovery import Discovery

#: The demo command's defaults: how many people the organisations hold, how many days of
#: activity end today.
DEFAULT_PEOPLE = 600
DEFAULT_DAYS = 90


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class DemoRun:
    """What a step is given: the command's options and where to report progress."""

    people: int = DEFAULT_PEOPLE
    days: int = DEFAULT_DAYS
    stdout: Writer | None = None


Build = Callable[[DemoRun], Mapping[str, Any]]


@dataclass(frozen=True)
class DemoStep:
    name: str
    build: Build
    after: tuple[str, ...] = ()
    logins: tuple[tuple[str, str], ...] = ()
    headline: str = ""
    base: bool = False
    empty: Callable[[], bool] | None = None

    @property
    def module(self) -> str:
        return str(self.build.__module__)


_steps: dict[str, DemoStep] = {}
_lock = threading.RLock()
_discovery = Discovery("demo")


def register(step: DemoStep) -> DemoStep:
    with _lock:
        old = _steps.get(step.name)
        if old is not None and old != step:
            raise ImproperlyConfigured(f"demo step {step.name!r} is registered twice")
        _steps[step.name] = step
    return step


def demo_step(
    name: str,
    *,
    after: Sequence[str] = (),
    logins: Sequence[tuple[str, str]] = (),
    headline: str = "",
    base: bool = False,
    empty: Callable[[], bool] | None = None,
) -> Callable[[Build], Build]:
    """Register the decorated function as the demo step `name` (see the module's docstring)."""

    def decorate(build: Build) -> Build:
        register(DemoStep(name, build, tuple(after), tuple(logins), headline, base, empty))
        return build

    return decorate


def discover() -> None:
    """Import every app's `demo` module, once per process (`juli.core.discovery`)."""
    _discovery()


def _app_index(step: DemoStep) -> int:
    config = apps.get_containing_app_config(step.module)
    names = [c.name for c in apps.get_app_configs()]
    return names.index(config.name) if config is not None else len(names)


def ordered(table: Mapping[str, DemoStep]) -> list[DemoStep]:
    """The steps of `table` in dependency order (stable: app order, then declaration order)."""
    seq = {name: i for i, name in enumerate(table)}  # declaration order
    key = {name: (_app_index(step), seq[name]) for name, step in table.items()}
    for step in table.values():
        for dep in step.after:
            if dep not in table:
                raise ImproperlyConfigured(f"demo step {step.name!r} comes after unknown {dep!r}")
    done: list[DemoStep] = []
    left = dict(table)
    while left:
        ready = [s for s in left.values() if all(dep not in left for dep in s.after)]
        if not ready:
            raise ImproperlyConfigured(f"demo steps in a cycle: {', '.join(sorted(left))}")
        first = min(ready, key=lambda s: key[s.name])
        done.append(first)
        del left[first.name]
    return done


def steps(*, base_only: bool = False) -> list[DemoStep]:
    """Every registered step, in the order they run; `base_only`: the base world only."""
    discover()
    with _lock:
        table = dict(_steps)
    run = ordered(table)
    if base_only:
        run = [step for step in run if step.base]
        for step in run:
            for dep in step.after:
                if not table[dep].base:
                    raise ImproperlyConfigured(
                        f"base demo step {step.name!r} comes after {dep!r}, which is not base"
                    )
    return run


def logins() -> list[tuple[str, str]]:
    """The demo accounts the steps declare, in step order (those a step only knows once built,
    like the cases' unit staff, are not among them)."""
    return [login for step in steps() for login in step.logins]


def is_empty() -> bool:
    """True when every step that can tell says the database is free for the demo."""
    return all(step.empty() for step in steps() if step.empty is not None)
