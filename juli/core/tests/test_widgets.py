"""The Python-rendered select: the same markup as Django's, escaped, and a short list."""

from __future__ import annotations

from django import forms

from juli.core.widgets import FastSelect


class _Form(forms.Form):
    fast = forms.ChoiceField(
        choices=[("", "—"), ("1", "<b>一</b>"), ("2", "二"), ("组", [("3", "三")])],
        widget=FastSelect,
        required=False,
    )
    plain = forms.ChoiceField(
        choices=[("", "—"), ("1", "<b>一</b>"), ("2", "二"), ("组", [("3", "三")])],
        required=False,
    )


def _squash(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


def test_it_renders_what_djangos_select_renders():
    form = _Form({"fast": "2", "plain": "2"})
    fast = _squash(str(form["fast"])).replace("fast", "X")
    plain = _squash(str(form["plain"])).replace("plain", "X")
    assert fast == plain
    assert '<option value="2" selected>二</option>' in fast
    assert "&lt;b&gt;一&lt;/b&gt;" in fast
    assert '<optgroup label="组"><option value="3">三</option></optgroup>' in fast
