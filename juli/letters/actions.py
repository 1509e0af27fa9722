"""Every write of the letters app. Pages, the API, the demo and commands call these only.

Conventions (as in `juli.cases.actions`): the actor comes first (`None` is the system, which
skips rights checks, never rules); out-of-scope objects raise `Http404`, a visible object the
actor may not change `PermissionDenied`, a rule `LetterError` (a `ValidationError` with a
`code`). Each action runs in one transaction and writes an audit row; workflow moves also
append a `LetterEvent`. Refusals change nothing and write nothing.

Rules from the work itself:

- Content (title, preamble, items) may change until the year-end assessment starts. A change
  that alters the content hash of a letter carrying any signature voids *both* signatures,
  logs a `void` event and sends the letter back to "issued": both parties sign again.
- The hash is frozen at the first signature; the second signature must sign the same hash.
- A signature is personal: only the current holder of the bound post signs, superuser or not.
- A replayed submission (same client id) returns the signature already made.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core import records
from juli.core.attachments import AttachmentRefused, clean_attachment
from juli.core.audit import record, snapshot
from juli.core.models import EvidenceLink
from juli.core.signature_image import clean_signature
from juli.core.signing import confirm_signer
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, lock, transition
from juli.core.writes import apply_fields, require, user_of
from juli.orgs.models import PartyOrg, Post, User

from . import access, integrity, notices
from . import records as letter_records
from .models import (
    COLLECTING,
    EDITABLE,
    TRANSITIONS,
    Evidence,
    ItemFields,
    Letter,
    LetterEvent,
    LetterItem,
    LetterPrint,
    LetterTemplate,
    Signature,
    Status,
    TemplateItem,
)

ONE_DECIMAL = Decimal("0.1")

#: Grade bands of the year-end assessment, highest first: (lowest total, grade).
GRADE_BANDS: tuple[tuple[Decimal, str, Any], ...] = (
    (Decimal("90"), "excellent", gettext_lazy("Excellent")),
    (Decimal("80"), "good", gettext_lazy("Good")),
    (Decimal("60"), "pass", gettext_lazy("Pass")),
    (Decimal("0"), "fail", gettext_lazy("Fail")),
)
GRADE_LABELS = {key: label for _low, key, label in GRADE_BANDS}


class LetterError(ValidationError):
    """A rule of the letters workflow refused the request; nothing was changed."""


def grade_for(total: Decimal, full: Decimal = Decimal("100")) -> str:
    """The grade of `total` out of `full` points: bands are per cent of the full points
    (优秀 ≥ 90 %, 良好 ≥ 80 %, 合格 ≥ 60 %, 不合格 below), so a 120-point letter grades fairly."""
    if full <= 0:
        return "fail"
    percent = total * Decimal("100") / full
    for low, key, _label in GRADE_BANDS:
        if percent >= low:
            return key
    return "fail"


def _lock(letter: Letter) -> Letter:
    return lock(
        letter,
        Letter.objects.select_related("issuer_org", "receiver_org", "issuer_post", "receiver_post"),
    )


def _illegal(letter: Letter, action: str) -> str:
    return _("A letter that is “%(status)s” cannot be given “%(action)s”.") % {
        "status": letter.get_status_display(),
        "action": action,
    }


#: How the workflow helper moves a letter (`juli.core.workflow`).
_WORKFLOW: dict[str, Any] = {
    "table": TRANSITIONS,
    "event_model": LetterEvent,
    "error": LetterError,
    "message": _illegal,
}


def _move(actor: Actor, letter: Letter, action: str, *, note: str = "", digest: str = "") -> None:
    """Set the next status on a letter locked by the caller and append its event (with the
    content hash `digest`); the caller saves `status` with the step's other fields."""
    move = check_move(letter, action, table=TRANSITIONS, error=LetterError, message=_illegal)
    before = letter.status
    letter.status = move.target
    append_event(
        LetterEvent,
        letter,
        actor=actor,
        action=action,
        from_status=before,
        to_status=move.target,
        note=note,
        content_hash=digest,
    )


# --- Templates --------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("title", "preamble")


@transaction.atomic
def create_template(
    actor: Actor, org: PartyOrg, *, year: int, level: str, title: str, preamble: str = ""
) -> LetterTemplate:
    require(actor, access._staff_of(actor, org.path))
    if LetterTemplate.objects.filter(org=org, year=year, level=level).exists():
        raise LetterError(
            _("%(org)s already has a %(year)s template for this level.")
            % {"org": org.name, "year": year},
            code="duplicate",
        )
    template = LetterTemplate(org=org, year=year, level=level, title=title, preamble=preamble)
    template.full_clean()
    template.save()
    record(actor, "letter_template.create", template, after=snapshot(template))
    return template


@transaction.atomic
def update_template(actor: Actor, template: LetterTemplate, **data: Any) -> LetterTemplate:
    require(actor, access.can_edit_template(actor, template))
    before = snapshot(template)
    apply_fields(template, TEMPLATE_FIELDS, data, error=LetterError, code="invalid")
    template.full_clean()
    template.save()
    record(actor, "letter_template.update", template, before=before, after=snapshot(template))
    return template


@transaction.atomic
def copy_template(actor: Actor, source: LetterTemplate, *, year: int) -> LetterTemplate:
    """Last year's template, copied to `year` with all its items, ready to edit."""
    require(actor, access.can_edit_template(actor, source))
    title = source.title.replace(str(source.year), str(year))
    if title == source.title:
        title = f"{year} {source.title}"
    template = create_template(
        None, source.org, year=year, level=source.level, title=title, preamble=source.preamble
    )
    template.copied_from = source
    template.save(update_fields=["copied_from"])
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, **{f: getattr(i, f) for f in ItemFields.CONTENT_FIELDS})
        for i in source.items.all()
    )
    record(
        actor,
        "letter_template.copy",
        template,
        after={"from": source.pk, "items": template.items.count()},
    )
    return template


def _check_item(data: Mapping[str, Any], item: ItemFields) -> None:
    apply_fields(item, ItemFields.CONTENT_FIELDS, data, error=LetterError, code="invalid")
    try:
        item.full_clean(exclude=["template", "letter"])
    except ValidationError as error:
        raise LetterError(error.messages, code="invalid") from error


@transaction.atomic
def add_template_item(actor: Actor, template: LetterTemplate, **data: Any) -> TemplateItem:
    require(actor, access.can_edit_template(actor, template))
    item = TemplateItem(template=template)
    if "order" not in data:
        data["order"] = template.items.count() + 1
    _check_item(data, item)
    item.save()
    record(actor, "letter_template.add_item", item, after=snapshot(item))
    return item


@transaction.atomic
def update_template_item(actor: Actor, item: TemplateItem, **data: Any) -> TemplateItem:
    require(actor, access.can_edit_template(actor, item.template))
    before = snapshot(item)
    _check_item(data, item)
    item.save()
    record(actor, "letter_template.update_item", item, before=before, after=snapshot(item))
    return item


@transaction.atomic
def delete_template_item(actor: Actor, item: TemplateItem) -> None:
    require(actor, access.can_edit_template(actor, item.template))
    before = snapshot(item)
    record(actor, "letter_template.delete_item", item, before=before)
    item.delete()


# --- Issuing ----------------------------------------------------------------------------------


def secretary_post(org: PartyOrg) -> Post | None:
    today = timezone.localdate()
    return (
        Post.objects.filter(org=org, role=access.SIGNING_ROLE, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("person")
        .order_by("-started_on", "-id")
        .first()
    )


def receivers_for(template: LetterTemplate) -> list[PartyOrg]:
    """The active organisations of the template's level below its issuing organisation."""
    org = template.org
    return list(
        PartyOrg.objects.filter(
            path__startswith=org.path, kind=template.level, status=PartyOrg.Status.ACTIVE
        )
        .exclude(pk=org.pk)
        .order_by("path")
    )


@transaction.atomic
def prepare_letters(
    actor: Actor, template: LetterTemplate, receivers: Iterable[PartyOrg]
) -> list[Letter]:
    """One draft letter per chosen lower organisation, with the template's items. Idempotent:
    an organisation that already has this template's letter keeps it (returned as is)."""
    require(actor, access.can_edit_template(actor, template))
    receivers = list(receivers)
    if not receivers:
        raise LetterError(_("Choose at least one organisation."), code="no_receivers")
    issuer_post = secretary_post(template.org)
    if issuer_post is None:
        raise LetterError(
            _("%(org)s has no current secretary to sign.") % {"org": template.org.name},
            code="no_secretary",
        )
    items = list(template.items.all())
    out = []
    for org in receivers:
        if not org.path.startswith(template.org.path) or org.pk == template.org.pk:
            raise LetterError(
                _("%(org)s is not below the issuing organisation.") % {"org": org.name},
                code="not_below",
            )
        existing = Letter.objects.filter(template=template, receiver_org=org).first()
        if existing is not None:
            out.append(existing)
            continue
        receiver_post = secretary_post(org)
        if receiver_post is None:
            raise LetterError(
                _("%(org)s has no current secretary to sign.") % {"org": org.name},
                code="no_secretary",
            )
        letter = Letter.objects.create(
            template=template,
            year=template.year,
            title=template.title,
            preamble=template.preamble,
            issuer_org=template.org,
            receiver_org=org,
            issuer_post=issuer_post,
            receiver_post=receiver_post,
        )
        LetterItem.objects.bulk_create(
            LetterItem(letter=letter, **{f: getattr(i, f) for f in ItemFields.CONTENT_FIELDS})
            for i in items
        )
        append_event(
            LetterEvent,
            letter,
            actor=actor,
            action="create",
            from_status="",
            to_status=Status.DRAFT,
        )
        record(actor, "letter.create", letter, after=snapshot(letter))
        out.append(letter)
    return out


@transaction.atomic
def issue_letter(actor: Actor, letter: Letter) -> Letter:
    letter = _lock(letter)
    require(actor, access.is_issuer_staff(actor, letter))
    if not letter.items.exists():
        raise LetterError(_("A letter without items cannot be issued."), code="no_items")

    def stamp(letter: Letter, move: Any, now: Any) -> Any:
        letter.issued_at = now
        return ["issued_at"], {}

    letter = transition(
        actor,
        letter,
        "issue",
        **_WORKFLOW,
        locked=True,
        effects=stamp,
        audit_values=lambda letter, before, data: (None, {"status": letter.status}),
    )
    notices.announce(letter, "issue", actor)
    return letter


def issue_letters(actor: Actor, letters: Iterable[Letter]) -> int:
    """Issue every draft among `letters` (others are left as they are); returns how many."""
    count = 0
    for letter in letters:
        if letter.status == Status.DRAFT:
            issue_letter(actor, letter)
            count += 1
    return count


# --- Content changes (void signatures when the hash changes) ----------------------------------


def _content_changed(actor: Actor, letter: Letter, what: str) -> None:
    """Called after a content write on a locked letter: void signatures if the hash moved."""
    if not letter.content_hash:
        return
    fresh = integrity.content_hash(letter)
    if fresh == letter.content_hash:
        return
    reason = _("Content changed after signing: %(what)s") % {"what": what}
    old = letter.content_hash
    voided: list[int] = []

    def void(letter: Letter, move: Any, now: Any) -> Any:
        for sig in letter.signatures.filter(voided_at__isnull=True):
            sig.voided_at, sig.void_reason = now, reason[:300]
            sig.save(update_fields=["voided_at", "void_reason"])
            voided.append(sig.pk)
        letter.content_hash, letter.frozen_at, letter.signed_at = "", None, None
        return ["content_hash", "frozen_at", "signed_at"], {}

    transition(
        actor,
        letter,
        "void",
        **_WORKFLOW,
        locked=True,
        note=reason,
        event_extra={"content_hash": old},
        effects=void,
        audit_verb="letter.void_signatures",
        audit_values=lambda letter, before, data: (
            {"content_hash": old, "signatures": voided},
            {"status": letter.status},
        ),
    )


def _editable(actor: Actor, letter: Letter) -> Letter:
    letter = _lock(letter)
    require(actor, access.is_issuer_staff(actor, letter))
    if letter.status not in EDITABLE:
        raise LetterError(
            _("The assessment has started: the letter's content can no longer change."),
            code="illegal_state",
        )
    return letter


@transaction.atomic
def update_letter(actor: Actor, letter: Letter, **data: Any) -> Letter:
    letter = _editable(actor, letter)
    before = snapshot(letter, ["title", "preamble"])
    apply_fields(letter, ("title", "preamble"), data, error=LetterError, code="invalid")
    if not letter.title.strip():
        raise LetterError(_("The title is required."), code="invalid")
    letter.save(update_fields=["title", "preamble"])
    record(actor, "letter.update", letter, before=before, after=snapshot(letter, list(data)))
    _content_changed(actor, letter, _("title or preamble"))
    return letter


@transaction.atomic
def add_item(actor: Actor, letter: Letter, **data: Any) -> LetterItem:
    """An item of this letter only (organisation-specific)."""
    letter = _editable(actor, letter)
    item = LetterItem(letter=letter, specific=True)
    if "order" not in data:
        data["order"] = letter.items.count() + 1
    _check_item(data, item)
    item.save()
    record(actor, "letter.add_item", item, after=snapshot(item))
    _content_changed(actor, letter, _("item added"))
    return item


@transaction.atomic
def update_item(actor: Actor, item: LetterItem, **data: Any) -> LetterItem:
    letter = _editable(actor, item.letter)
    item = LetterItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item)
    _check_item(data, item)
    item.save()
    record(actor, "letter.update_item", item, before=before, after=snapshot(item))
    _content_changed(actor, letter, _("item changed"))
    return item


@transaction.atomic
def delete_item(actor: Actor, item: LetterItem) -> None:
    letter = _editable(actor, item.letter)
    record(actor, "letter.delete_item", item, before=snapshot(item))
    item.delete()
    _content_changed(actor, letter, _("item removed"))


# --- Signing ----------------------------------------------------------------------------------


def _check_password(user: User, password: str, otp: str) -> bool:
    """The user's password, and their TOTP code when they have a confirmed device."""
    return confirm_signer(user, password, otp, error=LetterError)


def sign_letter(
    actor: User,
    letter: Letter,
    side: str,
    *,
    method: str,
    image: str = "",
    password: str = "",
    otp: str = "",
    client_uuid: uuid.UUID | str | None = None,
) -> Signature:
    """Sign `letter` for `side` as `actor`, the current holder of the bound post.

    `method="drawn"` takes the pad's PNG data URL in `image` (and checks `password` when one
    is given: the signing session hands the device to the other party); `method="password"`
    takes the password (and a TOTP code if the user has a second factor). The same
    `client_uuid` sent again returns the signature already made.
    """
    key = _uuid(client_uuid)
    done = Signature.objects.filter(client_uuid=key).first()
    if done is not None:
        if done.letter_id != letter.pk or done.user_id != actor.pk or done.side != side:
            raise LetterError(
                _("This submission id was already used for a different signature."),
                code="idempotency_conflict",
            )
        return done
    if side not in Signature.Side.values:
        raise LetterError(_("Unknown side."), code="invalid")
    if method not in Signature.Method.values:
        raise LetterError(_("Unknown signing method."), code="invalid")
    cleaned = clean_signature(image) if method == Signature.Method.DRAWN else None
    try:
        return _sign(actor, letter, side, method, cleaned, password, otp, key)
    except IntegrityError:
        # A twin submission with the same client id won the race: return what it made.
        done = Signature.objects.filter(client_uuid=key).first()
        if done is None:
            raise
        return done


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID:
    if value in (None, ""):
        return uuid.uuid4()
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise LetterError(_("The submission id must be a UUID."), code="invalid") from None


@transaction.atomic
def _sign(
    actor: User,
    letter: Letter,
    side: str,
    method: str,
    cleaned: Any,
    password: str,
    otp: str,
    key: uuid.UUID,
) -> Signature:
    letter = _lock(letter)
    if not access.can_see_letter(actor, letter):
        raise Http404
    if not access.can_sign(actor, letter, side):
        raise PermissionDenied(_("Only the holder of the bound post signs for this party."))
    second = False
    if method == Signature.Method.PASSWORD or password:
        second = _check_password(actor, password, otp)
    if letter.signatures.filter(side=side, voided_at__isnull=True).exists():
        raise LetterError(_("This party has already signed."), code="already_signed")
    digest = integrity.content_hash(letter)
    if letter.status == Status.ISSUED:
        action = "sign"
        letter.content_hash, letter.frozen_at = digest, timezone.now()
    elif letter.status == Status.PARTLY_SIGNED:
        action = "countersign"
        if digest != letter.content_hash:  # only possible if the record was altered outside
            raise LetterError(
                _("The letter's content differs from what the other party signed."),
                code="hash_mismatch",
            )
    else:
        raise LetterError(
            _("A letter that is “%(status)s” cannot be signed.")
            % {"status": letter.get_status_display()},
            code="illegal_state",
        )
    post = access.signing_post(letter, side)
    assert post is not None
    signature = Signature(
        letter=letter,
        side=side,
        post=post,
        person_id=post.person_id,
        user=actor,
        method=method,
        second_factor=second,
        content_hash=digest,
        client_uuid=key,
    )
    if cleaned is not None:
        signature.image_sha256 = cleaned.sha256
        signature.image.save(f"{uuid.uuid4().hex}.png", ContentFile(cleaned.png), save=False)
    signature.save()
    _move(actor, letter, action, digest=digest)
    fields = ["status", "content_hash", "frozen_at"]
    if action == "countersign":
        letter.signed_at = signature.signed_at
        fields.append("signed_at")
    letter.save(update_fields=fields)
    record(
        actor,
        "letter.sign",
        signature,
        after=snapshot(signature, ["side", "method", "post", "content_hash"]),
    )
    notices.announce(letter, action, actor, side=side)
    return signature


# --- Evidence ---------------------------------------------------------------------------------


EVIDENCE_FIELDS = [
    "letter",
    "kind",
    "title",
    "note",
    "happened_on",
    "file_name",
    "file_type",
    "file_size",
    "file_sha256",
    "added_by",
    "added_at",
]


def _evidence_snapshot(evidence: Evidence, record_obj: Model | None = None) -> dict[str, Any]:
    """The audited state of an entry; a record entry names its record as it always did."""
    out = {**snapshot(evidence, EVIDENCE_FIELDS), "file": evidence.file.name or ""}
    out["record_type_id"] = out["record_id"] = None
    if record_obj is not None:
        ct = ContentType.objects.get_for_model(record_obj)
        out["record_type_id"], out["record_id"] = ct.pk, record_obj.pk
    elif evidence.kind == Evidence.Kind.RECORD:
        link = evidence.record_links.first()
        if link is not None:
            out["record_type_id"], out["record_id"] = link.record_type_id, link.record_id
    return out


def _evidence_letter(actor: Actor, letter: Letter) -> Letter:
    letter = _lock(letter)
    require(actor, access.is_receiver_staff(actor, letter) or access.is_issuer_staff(actor, letter))
    if letter.status not in COLLECTING:
        raise LetterError(
            _("Evidence is collected while the letter runs, not after the assessment began."),
            code="illegal_state",
        )
    return letter


def _items_of(letter: Letter, items: Iterable[LetterItem | int]) -> list[LetterItem]:
    ids = {i.pk if isinstance(i, LetterItem) else int(i) for i in items}
    found = list(LetterItem.objects.filter(letter=letter, pk__in=ids))
    if len(found) != len(ids):
        raise LetterError(_("An item does not belong to this letter."), code="invalid")
    return found


def clean_evidence_file(upload: Any) -> tuple[ContentFile[bytes], str, str]:
    """(content, stored name, content type) of an accepted evidence file, or a refusal
    (`juli.core.attachments`)."""
    try:
        return clean_attachment(upload)
    except AttachmentRefused as refused:
        raise LetterError(refused.text, code=refused.code) from None


@transaction.atomic
def add_evidence(
    actor: Actor,
    letter: Letter,
    *,
    title: str,
    items: Iterable[LetterItem | int],
    note: str = "",
    upload: Any = None,
    record_obj: Model | None = None,
    happened_on: Any = None,
) -> Evidence:
    """A file, a note, or a linked record, serving `items` of the letter."""
    letter = _evidence_letter(actor, letter)
    chosen = _items_of(letter, items)
    if not chosen:
        raise LetterError(_("Choose the items this evidence serves."), code="no_items")
    evidence = Evidence(
        letter=letter, title=title.strip()[:200], note=note, added_by=user_of(actor)
    )
    if happened_on:
        evidence.happened_on = happened_on
    purpose = letter_records.purpose_of(letter)
    if record_obj is not None:
        kind = records.kind_of(record_obj)
        if kind is None:
            raise LetterError(_("This kind of record cannot be linked."), code="invalid")
        records.check(actor, record_obj, purpose)  # Http404 outside the actor's candidates
        # Once per letter: the letter's row is locked (`_evidence_letter`), so no race.
        if EvidenceLink.objects.filter(
            consumer_type=ContentType.objects.get_for_model(Evidence),
            consumer_id__in=letter.evidence.values("pk"),
            record_type=ContentType.objects.get_for_model(record_obj),
            record_id=record_obj.pk,
        ).exists():
            raise LetterError(
                _("This record is already attached to the letter; add items to it instead."),
                code="already_linked",
            )
        evidence.kind = Evidence.Kind.RECORD
        evidence.title = evidence.title or kind.describe(record_obj)[:200]
    elif upload is not None:
        content, name, content_type = clean_evidence_file(upload)
        data = content.read()
        content.seek(0)
        evidence.kind = Evidence.Kind.FILE
        evidence.file_name, evidence.file_type = name, content_type
        evidence.file_size, evidence.file_sha256 = len(data), hashlib.sha256(data).hexdigest()
        ext = name.rsplit(".", 1)[-1].lower()
        evidence.file.save(f"{uuid.uuid4().hex}.{ext}", content, save=False)
        evidence.title = evidence.title or name
    else:
        if not note.strip():
            raise LetterError(_("Write the note, attach a file or link a record."), code="empty")
        evidence.kind = Evidence.Kind.NOTE
    if not evidence.title:
        raise LetterError(_("Give the evidence a title."), code="invalid")
    evidence.save()
    evidence.items.set(chosen)
    if record_obj is not None:
        records.link(actor, evidence, record_obj, purpose)
    record(
        actor,
        "letter.add_evidence",
        evidence,
        after={**_evidence_snapshot(evidence, record_obj), "items": [i.pk for i in chosen]},
    )
    return evidence


@transaction.atomic
def set_evidence_items(actor: Actor, evidence: Evidence, items: Iterable[LetterItem | int]) -> None:
    letter = _evidence_letter(actor, evidence.letter)
    chosen = _items_of(letter, items)
    if not chosen:
        raise LetterError(_("Choose the items this evidence serves."), code="no_items")
    before = sorted(evidence.items.values_list("pk", flat=True))
    evidence.items.set(chosen)
    record(
        actor,
        "letter.evidence_items",
        evidence,
        before={"items": before},
        after={"items": sorted(i.pk for i in chosen)},
    )


@transaction.atomic
def remove_evidence(actor: Actor, evidence: Evidence) -> None:
    _evidence_letter(actor, evidence.letter)
    record(actor, "letter.remove_evidence", evidence, before=_evidence_snapshot(evidence))
    for link in evidence.record_links.select_related("consumer_type", "record_type"):
        records.unlink(actor, link)
    if evidence.file:
        path = evidence.file.name or ""
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(path))
    evidence.delete()


# --- Year-end assessment ----------------------------------------------------------------------


def _score(raw: Any, item: LetterItem) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise LetterError(
            _("“%(value)s” is not a number.") % {"value": raw}, code="invalid_score"
        ) from None
    if not value.is_finite() or value < 0 or value > item.points:
        raise LetterError(
            _("A score of item %(n)s lies between 0 and %(max)s.")
            % {"n": item.order, "max": item.points},
            code="invalid_score",
        )
    return value


def total_of(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal("0")).quantize(ONE_DECIMAL)


@transaction.atomic
def save_self_assessment(
    actor: Actor,
    letter: Letter,
    scores: Mapping[int, tuple[Any, str]],
    *,
    remark: str = "",
    submit: bool = False,
) -> Letter:
    """The receiver's scores and remarks per item; `submit` hands them to the issuer."""
    letter = _lock(letter)
    require(actor, access.is_receiver_staff(actor, letter))
    if letter.status != Status.SIGNED:
        raise LetterError(
            _("Self-assessment is made on a signed letter before it is submitted."),
            code="illegal_state",
        )
    items = {i.pk: i for i in letter.items.all()}
    if set(scores) - set(items):
        raise LetterError(_("An item does not belong to this letter."), code="invalid")
    for pk, (raw, item_remark) in scores.items():
        item = items[pk]
        item.self_score, item.self_remark = _score(raw, item), item_remark or ""
    if submit:
        missing = [i.order for i in items.values() if i.self_score is None]
        if missing:
            raise LetterError(
                _("Score every item before submitting (missing: %(n)s).")
                % {"n": ", ".join(str(n) for n in sorted(missing))},
                code="incomplete",
            )
    LetterItem.objects.bulk_update(list(items.values()), ["self_score", "self_remark"])
    letter.self_total = total_of(i.self_score for i in items.values())
    letter.self_remark = remark
    fields = ["self_total", "self_remark"]
    if submit:
        _move(actor, letter, "self_assess")
        letter.self_assessed_at = timezone.now()
        fields += ["status", "self_assessed_at"]
    letter.save(update_fields=fields)
    record(
        actor,
        "letter.self_assess" if submit else "letter.self_assess_draft",
        letter,
        after={
            "self_total": letter.self_total,
            "scores": {pk: str(items[pk].self_score) for pk in sorted(items)},
        },
    )
    if submit:
        notices.announce(letter, "self_assess", actor)
    return letter


@transaction.atomic
def save_review(
    actor: Actor,
    letter: Letter,
    scores: Mapping[int, tuple[Any, str]],
    *,
    remark: str = "",
    finish: bool = False,
) -> Letter:
    """The issuer's scores; a score that differs from the self score needs a reason.
    `finish` fixes the total and the grade."""
    letter = _lock(letter)
    require(actor, access.is_issuer_staff(actor, letter))
    if letter.status != Status.SELF_ASSESSED:
        raise LetterError(_("Only a submitted self-assessment is reviewed."), code="illegal_state")
    items = {i.pk: i for i in letter.items.all()}
    if set(scores) - set(items):
        raise LetterError(_("An item does not belong to this letter."), code="invalid")
    for pk, (raw, reason) in scores.items():
        item = items[pk]
        item.review_score, item.review_reason = _score(raw, item), (reason or "").strip()
    for item in items.values():
        if item.review_score is None and finish:
            item.review_score = item.self_score
        if (
            item.review_score is not None
            and item.review_score != item.self_score
            and not item.review_reason
        ):
            raise LetterError(
                _("Item %(n)s: give the reason for changing the self score.") % {"n": item.order},
                code="reason_required",
            )
    LetterItem.objects.bulk_update(list(items.values()), ["review_score", "review_reason"])
    letter.review_remark = remark
    fields = ["review_remark"]
    if finish:
        full = sum((i.points for i in items.values()), Decimal("0"))
        letter.final_total = total_of(i.review_score for i in items.values())
        letter.grade = grade_for(letter.final_total, full)
        _move(actor, letter, "review")
        letter.reviewed_at = timezone.now()
        fields += ["final_total", "grade", "status", "reviewed_at"]
    letter.save(update_fields=fields)
    record(
        actor,
        "letter.review" if finish else "letter.review_draft",
        letter,
        after={
            "final_total": letter.final_total,
            "grade": letter.grade,
            "scores": {pk: str(items[pk].review_score) for pk in sorted(items)},
        },
    )
    if finish:
        notices.announce(letter, "review", actor, grade=GRADE_LABELS.get(letter.grade, ""))
    return letter


@transaction.atomic
def return_self_assessment(actor: Actor, letter: Letter, *, note: str) -> Letter:
    letter = _lock(letter)
    require(actor, access.is_issuer_staff(actor, letter))
    if not note.strip():
        raise LetterError(_("Say what should be redone."), code="note_required")
    letter = transition(
        actor,
        letter,
        "return",
        **_WORKFLOW,
        locked=True,
        note=note,
        audit_values=lambda letter, before, data: (None, {"status": letter.status}),
    )
    notices.announce(letter, "return", actor, note=note)
    return letter


@transaction.atomic
def publish(actor: Actor, letter: Letter) -> Letter:
    letter = _lock(letter)
    require(actor, access.is_issuer_staff(actor, letter))

    def stamp(letter: Letter, move: Any, now: Any) -> Any:
        letter.published_at = now
        return ["published_at"], {}

    letter = transition(
        actor,
        letter,
        "publish",
        **_WORKFLOW,
        locked=True,
        effects=stamp,
        audit_values=lambda letter, before, data: (None, {"grade": letter.grade}),
    )
    notices.announce(letter, "publish", actor, grade=GRADE_LABELS.get(letter.grade, ""))
    return letter


# --- Printing ---------------------------------------------------------------------------------


@transaction.atomic
def record_print(actor: Actor, letter: Letter, pdf: bytes) -> LetterPrint:
    """Remember a PDF Juli handed out, so that an uploaded copy can be recognised."""
    digest = hashlib.sha256(pdf).hexdigest()
    printed = LetterPrint.objects.create(
        letter=letter, sha256=digest, content_hash=letter.content_hash, printed_by=user_of(actor)
    )
    record(actor, "letter.print", printed, after={"sha256": digest})
    return printed
