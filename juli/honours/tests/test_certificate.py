"""The certificate: its code verifies on /verify/, a tampered code or record is refused,
the PDF reads back with number and code."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
from django.urls import reverse

from juli.core.verification import pdf_text, verification_code, verify
from juli.honours import actions
from juli.honours.documents import certificate_pdf
from juli.honours.models import Honour


@pytest.fixture
def honour(hw: Any) -> Honour:
    c = hw.cast
    n = actions.nominate(
        c.bureau_secretary, hw.call, nominator=c.putuo, nominee_org=c.branch1, reason="表现突出"
    )
    actions.review(c.bureau_secretary, n, accept=True)
    actions.close_nominations(c.bureau_secretary, hw.call)
    actions.confer(c.bureau_secretary, hw.call, conferred_on=datetime.date(2025, 7, 1))
    actions.publish(c.bureau_secretary, hw.call)
    return Honour.objects.get(call=hw.call)


def _tamper(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("A" if last != "A" else "B")


def test_it_verifies_the_genuine_code_and_refuses_a_tampered_one(honour: Honour) -> None:
    code = verification_code(honour)
    assert code.startswith(f"HR-{honour.pk}-")
    assert verify(code).state == "valid"
    assert verify(_tamper(code)).state == "unknown"


def test_it_calls_a_changed_record_tampered_and_a_revoked_one_outdated(
    hw: Any, honour: Honour
) -> None:
    code = verification_code(honour)
    Honour.objects.filter(pk=honour.pk).update(holder_name="别的支部")
    assert verify(code).state == "tampered"
    Honour.objects.filter(pk=honour.pk).update(holder_name=honour.holder_name)
    actions.revoke(hw.cast.bureau_secretary, honour, reason="违纪", decision_ref="黄委〔2025〕1号")
    assert verify(code).state == "superseded"


def test_it_answers_on_the_public_check_page(client: Any, honour: Honour) -> None:
    code = verification_code(honour)
    page = client.get(reverse("document-verify"), {"code": code}).content.decode()
    assert 'data-state="valid"' in page and honour.number in page
    page = client.get(reverse("document-verify"), {"code": _tamper(code)}).content.decode()
    assert 'data-state="unknown"' in page


def test_it_prints_number_and_code_in_the_pdf(honour: Honour, tmp_path: Any) -> None:
    pdf = certificate_pdf(honour)
    text = pdf_text(pdf)
    assert honour.number in text
    assert verification_code(honour) in text
    assert "第一党支部" in text
    out = tmp_path / "cert.pdf"
    out.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["/usr/bin/pdftoppm", "-png", "-r", "60", str(out), "/tmp/juli-shots/honours-certificate"],
        check=True,
    )


def test_it_downloads_the_certificate_for_those_who_see_it(
    client: Any, hw: Any, honour: Honour
) -> None:
    url = reverse("honours-certificate", args=[honour.pk])
    client.force_login(
        hw.cast.member_person.user
        if hasattr(hw.cast.member_person, "user")
        else hw.cast.branch_secretary
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(hw.cast.outsider)
    assert client.get(url).status_code == 404
