"""The demo steps that apps declare (`juli.core.demo`): their order, the base world that
`--no-cases` builds, the logins `juli serve` prints and the mistakes the registry refuses.
(What `juli demo` builds is tested in juli/orgs/tests/test_demo.py and beside each step.)"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from juli.core import demo
from juli.core.demo import DemoRun, DemoStep
from juli.core.management.commands.serve import Command as Serve
from juli.letters.demo import DEMO_LOGINS as LETTER_LOGINS
from juli.meetings.demo import DEMO_LOGINS as MEETING_LOGINS
from juli.observation.demo import DEMO_LOGINS as OBSERVATION_LOGINS
from juli.orgs.demo import DEMO_LOGINS
from juli.rating.demo_rounds import DEMO_LOGINS as RATING_LOGINS

#: Every step's logins, in step order.
ALL_LOGINS = [
    *DEMO_LOGINS,
    *LETTER_LOGINS,
    *MEETING_LOGINS,
    *OBSERVATION_LOGINS,
    *RATING_LOGINS,
]


def build(run: DemoRun) -> dict[str, Any]:
    return {}


def other(run: DemoRun) -> dict[str, Any]:
    return {}


def step(name: str, *after: str) -> DemoStep:
    return DemoStep(name, build, tuple(after))


def test_it_runs_the_steps_of_every_app_in_dependency_order() -> None:
    assert [s.name for s in demo.steps()] == [
        "orgs",
        "cases",
        "stats",
        "bulletins",
        "rankings",
        "notify",
        "letters",
        "duties",
        "meetings",
        "news",
        "rating_standards",
        "observation",
        "rating_rounds",
        "honours",
    ]
    assert [s.name for s in demo.steps(base_only=True)] == ["orgs"]
    assert [s.module for s in demo.steps()][2:] == [
        "juli.stats.demo",
        "juli.bulletins.demo",
        "juli.rankings.demo",
        "juli.notify.demo",
        "juli.letters.demo",
        "juli.duties.demo",
        "juli.meetings.demo",
        "juli.news.demo",
        "juli.rating.demo_standards",
        "juli.observation.demo",
        "juli.rating.demo_rounds",
        "juli.honours.demo",
    ]


def test_it_orders_topologically_and_stably() -> None:
    # All in this test module (one app): declaration order breaks the ties.
    table = {s.name: s for s in [step("c", "b"), step("a"), step("b", "a"), step("d")]}
    assert [s.name for s in demo.ordered(table)] == ["a", "b", "c", "d"]
    table = {s.name: s for s in [step("d"), step("b", "a"), step("a")]}
    assert [s.name for s in demo.ordered(table)] == ["d", "a", "b"]


def test_it_refuses_an_unknown_dependency_and_a_cycle() -> None:
    with pytest.raises(ImproperlyConfigured, match="demo step 'b' comes after unknown 'z'"):
        demo.ordered({"b": step("b", "z")})
    cycle = {s.name: s for s in [step("a", "c"), step("b", "a"), step("c", "b"), step("d")]}
    with pytest.raises(ImproperlyConfigured, match="demo steps in a cycle: a, b, c"):
        demo.ordered(cycle)


def test_it_accepts_the_same_step_twice_and_refuses_another_under_its_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo, "_steps", {})
    monkeypatch.setattr(demo, "discover", lambda: None)  # only the steps this test gives
    demo.demo_step("x", after=("y",))(build)
    demo.demo_step("x", after=("y",))(build)
    with pytest.raises(ImproperlyConfigured, match="demo step 'x' is registered twice"):
        demo.demo_step("x", after=("y",))(other)


def test_it_refuses_a_base_step_after_one_that_is_not(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo, "_steps", {})
    monkeypatch.setattr(demo, "discover", lambda: None)  # only the steps this test gives
    demo.register(step("world"))
    demo.register(DemoStep("base", build, ("world",), base=True))
    with pytest.raises(ImproperlyConfigured, match="'base' comes after 'world', which is not"):
        demo.steps(base_only=True)


def test_it_prints_the_logins_the_steps_declare_in_step_order() -> None:
    assert demo.logins() == ALL_LOGINS
    out = io.StringIO()
    Serve(stdout=out)._print_logins()
    lines = out.getvalue().splitlines()
    assert lines[1] == "Demo logins (password: juli-demo)"
    assert [line.split()[0] for line in lines[2:-1]] == [name for name, _ in ALL_LOGINS]
