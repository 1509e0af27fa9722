"""Open311 GeoReport v2 at /open311/v2/: the public's window on the case loop.

Endpoints (each in `.json` and `.xml`): `discovery`, `services` (the active case categories),
`services/<code>` (a service definition: no extra attributes), `requests` (GET: search; POST:
a public report), `requests/<id>` (one request). A `service_request_id` is the case number.

- **Status**: internal states are projected onto the spec's two: `closed` for closed and
  rejected cases, `open` for every other state. `status_notes` is the case's public reply
  when an officer wrote one (`publication.update_publication`), else a fixed phrase per
  status (`STATUS_PHRASES`: received, accepted, being handled …); the notes of the loop's
  steps (accept notes, rejection and deferral reasons) never. `updated_datetime` is the
  time of the case's latest event.
- **Which cases** (per district, `PublicFeedSettings`; a district without settings follows
  JULI_OPEN311_FEED): "public" (the default) lists the reports that came from the public and
  the cases an officer marked public; "all" lists every case; "off" none. A case not listed
  is "No such service_request_id." like a number that does not exist.
- **Text written for the public only**: a public report's description is what the reporter
  typed (the address they gave is kept apart, `Case.reporter_address`, for the office); any
  other case shows its category's name instead of its title and description (written for
  the office). The reporter's name, phone, e-mail and address are never shown. The address
  is the point's or the area's name; the position is the point's, else the case's own
  rounded to the district's `coordinate_decimals` (default 3, about 100 m).
  `agency_responsible` names the responsible unit only when the district chose
  `name_agencies` and the unit is a public body (`PUBLIC_BODY_KINDS`).
- **GET defaults** (per the spec): the last 90 days when no date is given, at most 1000
  requests, newest first. `service_request_id` (comma-separated) overrides the other filters.
  The wiki's pagination extension (Chicago, Boston, Toronto …): `page_size` (1–1000, default
  1000) and `page` (from 1); pages reach 10,000 requests deep, beyond that a narrower date
  span is asked for. A search's answer is kept JULI_OPEN311_CACHE_SECONDS (default 60) in
  the cache (per format, query and language) and sent with `Cache-Control: public,
  max-age=…`: the feed is public and the same for every caller, so a proxy may keep it.
- **POST** needs no account (`api_key` is accepted and ignored): `service_code`,
  `description`, and `lat` + `long` or `address_string`. The report becomes a case in state
  `reported` with source `public` through `actions.report_case(None, …)`. Where it lies:
  the nearest active point within JULI_OPEN311_POINT_RADIUS_M (default 100 m) of the fix;
  else the deepest area whose GeoJSON boundary contains it; else the area with the nearest
  centre; with only an address, the point or else the area whose name it contains (longest
  name wins); else the one root area, for the office to place by hand. A photo may come as
  a multipart `media` file: it goes through the upload checks (`juli.core.uploads.
  clean_image`: sniffed type, size and pixel caps, re-encoded, metadata stripped) and
  becomes the case's before-photo. `media_url` is ignored (Juli fetches nothing from
  addresses the public names). A client may
  send a UUID as the `Idempotency-Key` header or the `client_uuid` field: a repeat returns
  the first answer and creates nothing (`juli.core.idempotency`). Posts are limited to
  JULI_OPEN311_POSTS_PER_HOUR (default 30) per IP address.
- **Errors** are the spec's list of `{code, description}` (`<errors><error>` in XML).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import uuid
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from juli.core import idempotency
from juli.core.context import client_ip_from_meta
from juli.core.idempotency import Outcome
from juli.core.uploads import clean_image
from juli.core.writes import ConflictError
from juli.orgs.models import Area

from .actions import PhotoUpload, report_case
from .inspections import distance_m
from .models import PUBLIC_BODY_KINDS, Case, CaseCategory, CaseEvent, Point, PublicFeedSettings
from .publication import default_feed_settings

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"
MAX_RESULTS = 1000
#: How deep `page` may go (page × page_size): deeper, a narrower date span is the answer.
MAX_DEPTH = 10_000
DEFAULT_DAYS = 90
CLOSED = (Case.Status.CLOSED, Case.Status.REJECTED)
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: Field limits for public posts (the spec sets none; these keep the table sane).
LIMITS = {
    "service_code": 32,
    "description": 4000,
    "address_string": 200,
    "first_name": 30,
    "last_name": 30,
    "phone": 20,
    "email": 254,
    "account_id": 60,
    "device_id": 60,
}
#: Element names of list items in XML.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- Rendering -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _element(child, k, v)
    elif isinstance(value, list):
        for v in value:
            _element(child, ITEM_NAMES.get(name, "item"), v)
    else:
        child.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """The spec's XML: a root element, one child per list item (or per key of a dict)."""
    top = ET.Element(root)
    if isinstance(data, list):
        for row in data:
            _element(top, ITEM_NAMES.get(root, "item"), row)
    else:
        for k, v in data.items():
            _element(top, k, v)
    text = ET.tostring(top, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode()


def _render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, "errors", [{"code": status, "description": description}], status)


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


# --- Discovery and services ------------------------------------------------------------------------


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "JULI_OPEN311_CONTACT", ""),
        "key_service": "",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(fmt, "discovery", data)


def _service(category: CaseCategory) -> dict[str, Any]:
    unit = _("working hours") if category.time_unit == "hours" else _("working days")
    if not category.in_working_time:
        unit = _("hours") if category.time_unit == "hours" else _("days")
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("Handled within %(n)s %(unit)s of dispatch.")
        % {"n": category.time_limit, "unit": unit},
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    rows = [_service(c) for c in CaseCategory.objects.filter(is_active=True).order_by("code")]
    return _render(fmt, "services", rows)


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    if not CaseCategory.objects.filter(code=code, is_active=True).exists():
        return _errors(fmt, 404, _("No such service_code."))
    return _render(fmt, "service_definition", {"service_code": code, "attributes": []})


# --- Requests: read --------------------------------------------------------------------------------


def public_status(status: str) -> str:
    """The spec's open/closed for an internal status."""
    return "closed" if status in CLOSED else "open"


#: `status_notes` of a case without a public reply. Deferral (挂账) is an internal
#: arrangement: to the public the case is being handled.
STATUS_PHRASES = {
    Case.Status.REPORTED: gettext_lazy("Received; awaiting acceptance."),
    Case.Status.ACCEPTED: gettext_lazy("Accepted."),
    Case.Status.REJECTED: gettext_lazy("Not accepted."),
    Case.Status.DISPATCHED: gettext_lazy("Being handled."),
    Case.Status.DEFERRED: gettext_lazy("Being handled."),
    Case.Status.RECTIFIED: gettext_lazy("Handled; being checked."),
    Case.Status.VERIFIED: gettext_lazy("Handled; being checked."),
    Case.Status.CLOSED: gettext_lazy("Resolved."),
}


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


#: The columns a request row needs, read as values: a page of 1,000 requests builds no
#: model instances (that halved the time of the default query).
_ROW_COLUMNS = (
    "number",
    "status",
    "source",
    "is_public",
    "public_reply",
    "area_path",
    "title",
    "description",
    "reported_at",
    "deadline",
    "lat",
    "lng",
    "unit_id",
    "unit__name",
    "unit__kind",
    "point_id",
    "point__name",
    "point__lat",
    "point__lng",
    "area__name",
    "category__name",
    "category__code",
    "last_at",
)


class Feed:
    """The districts' public-feed settings, read once per request: which cases are listed
    (`listed`) and how each is shown (`settings_of`). Districts are the roots of the area
    tree, so a case's district is the first step of its area path."""

    def __init__(self) -> None:
        rows = PublicFeedSettings.objects.select_related("district")
        self.by_path = {row.district.path: row for row in rows}
        self.default = default_feed_settings()

    def settings_of(self, area_path: str) -> PublicFeedSettings:
        return self.by_path.get(area_path[: Area.steplen], self.default)

    @staticmethod
    def _holds(feed: str) -> Q:
        if feed == PublicFeedSettings.Feed.ALL:
            return Q()
        if feed == PublicFeedSettings.Feed.PUBLIC:
            return Q(source=Case.Source.PUBLIC) | Q(is_public=True)
        return Q(pk__in=[])

    def listed(self) -> Q:
        q = Q(pk__in=[])
        elsewhere = Q()
        for path, row in self.by_path.items():
            q |= Q(area_path__startswith=path) & self._holds(row.feed)
            elsewhere &= ~Q(area_path__startswith=path)
        # A case an officer withdrew is never listed, whatever the district's feed holds.
        return (q | (elsewhere & self._holds(self.default.feed))) & Q(feed_withdrawn=False)


def _requests(feed: Feed) -> QuerySet[Case]:
    last = CaseEvent.objects.filter(case_id=OuterRef("pk")).order_by("-at", "-pk")
    return Case.objects.filter(feed.listed()).annotate(last_at=Subquery(last.values("at")[:1]))


def _rows(qs: QuerySet[Case], feed: Feed, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    rows = qs.values(*_ROW_COLUMNS)[offset : offset + limit]
    return [_request_row(row, feed.settings_of(row["area_path"])) for row in rows]


def _position(case: dict[str, Any], decimals: int) -> tuple[float | None, float | None]:
    """The point's position (a public place), else the case's own rounded; a public feed
    never carries the fix of a phone or a reporter to the metre."""
    if case["point_id"] and case["point__lat"] is not None and case["point__lng"] is not None:
        return float(case["point__lat"]), float(case["point__lng"])
    if case["lat"] is None or case["lng"] is None:
        return None, None
    step = Decimal(1).scaleb(-decimals)
    return (
        float(Decimal(case["lat"]).quantize(step, rounding=ROUND_HALF_UP)),
        float(Decimal(case["lng"]).quantize(step, rounding=ROUND_HALF_UP)),
    )


def _request_row(case: dict[str, Any], conf: PublicFeedSettings) -> dict[str, Any]:
    """One request as the public sees it: see the module doc for what each field may hold."""
    from_public = case["source"] == Case.Source.PUBLIC
    named = conf.name_agencies and case["unit_id"] and case["unit__kind"] in PUBLIC_BODY_KINDS
    lat, lng = _position(case, conf.coordinate_decimals)
    return {
        "service_request_id": case["number"],
        "status": public_status(case["status"]),
        "status_notes": case["public_reply"] or str(STATUS_PHRASES.get(case["status"], "")),
        "service_name": case["category__name"],
        "service_code": case["category__code"],
        # A public report's title is made from its description (`_create`): public text too.
        "description": (case["description"] or case["title"])
        if from_public
        else case["category__name"],
        "agency_responsible": case["unit__name"] if named else "",
        "service_notice": "",
        "requested_datetime": _iso(case["reported_at"]),
        "updated_datetime": _iso(case["last_at"] or case["reported_at"]),
        "expected_datetime": _iso(case["deadline"]),
        "address": case["point__name"] if case["point_id"] else case["area__name"],
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": "",
    }


def _when(request: HttpRequest, name: str) -> datetime.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s is not a W3C date-time.") % {"name": name})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in raw.split(",") if c.strip()][:MAX_RESULTS]


def _whole(request: HttpRequest, name: str, default: int, top: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    # isdecimal and a length cap before int(): no sign, no exponent, no 5,000-digit number.
    if not raw.isdecimal() or len(raw) > len(str(top)) or not 1 <= int(raw) <= top:
        raise Open311Error(
            400, _("%(name)s is a whole number from 1 to %(top)s.") % {"name": name, "top": top}
        )
    return int(raw)


def _page(request: HttpRequest) -> tuple[int, int]:
    """(limit, offset) from the `page_size` and `page` extension parameters."""
    size = _whole(request, "page_size", MAX_RESULTS, MAX_RESULTS)
    page = _whole(request, "page", 1, MAX_DEPTH)
    offset = (page - 1) * size
    if offset + size > MAX_DEPTH:
        raise Open311Error(
            400,
            _("Pages reach %(n)s requests deep; narrow start_date and end_date instead.")
            % {"n": MAX_DEPTH},
        )
    return size, offset


def search_requests(request: HttpRequest) -> list[dict[str, Any]]:
    limit, offset = _page(request)
    ids = _codes(request.GET.get("service_request_id", ""))
    feed = Feed()
    qs = _requests(feed)
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        codes = _codes(request.GET.get("service_code", ""))
        if codes:
            qs = qs.filter(category__code__in=codes)
        start, end = _when(request, "start_date"), _when(request, "end_date")
        if start is None and end is None:
            start = timezone.now() - datetime.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(reported_at__gte=start)
        if end is not None:
            qs = qs.filter(reported_at__lte=end)
        statuses = set(_codes(request.GET.get("status", "")))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status is open or closed."))
        if statuses == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
        elif statuses == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
    return _rows(qs.order_by("-reported_at", "-pk"), feed, limit, offset)


@require_GET
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    feed = Feed()
    rows = _rows(_requests(feed).filter(number=number), feed, 1)
    if not rows:
        return _errors(fmt, 404, _("No such service_request_id."))
    return _render(fmt, "service_requests", rows)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    try:
        if request.method == "POST":
            outcome = post_request(request)
            return _render(fmt, "service_requests", outcome.body, outcome.status)
        return _search_response(request, fmt)
    except Open311Error as error:
        return _errors(fmt, error.status, error.description)


def _search_response(request: HttpRequest, fmt: str) -> HttpResponse:
    """A search's answer, from the cache when the same search was answered lately."""
    seconds = int(getattr(settings, "JULI_OPEN311_CACHE_SECONDS", 60))
    if seconds <= 0:
        return _render(fmt, "service_requests", search_requests(request))
    query = sorted(request.GET.lists())
    # The language too: the status phrases are translated.
    key = (
        "open311:requests:"
        + hashlib.sha256(repr((fmt, query, get_language())).encode()).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        body = _render(fmt, "service_requests", search_requests(request)).content
        cache.set(key, body, seconds)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Cache-Control"] = f"public, max-age={seconds}"
    return response


# --- Requests: public reports -----------------------------------------------------------------------


def _field(request: HttpRequest, name: str) -> str:
    value = str(request.POST.get(name, "")).strip()
    if len(value) > LIMITS.get(name, 100):
        raise Open311Error(
            400, _("%(name)s is longer than %(n)s characters.") % {"name": name, "n": LIMITS[name]}
        )
    return value


def _coordinate(raw: str, name: str, bound: int) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) > bound:
        raise Open311Error(400, _("%(name)s is not a valid coordinate.") % {"name": name})
    return value.quantize(Decimal("0.000001"))


def _contains(polygon: list[list[float]], lng: float, lat: float) -> bool:
    """Ray casting on one GeoJSON ring ([lng, lat] pairs)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i][0], polygon[i][1]
        x2, y2 = polygon[i - 1][0], polygon[i - 1][1]
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _in_boundary(boundary: Any, lng: float, lat: float) -> bool:
    """Inside a GeoJSON Polygon or MultiPolygon (outer rings minus holes); bad shapes: no."""
    try:
        geometry = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
        if geometry is None:
            return False
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for rings in polygons:
            inside = bool(rings) and _contains(rings[0], lng, lat)
            if inside and not any(_contains(hole, lng, lat) for hole in rings[1:]):
                return True
    except (TypeError, ValueError, IndexError, ZeroDivisionError, AttributeError):
        return False
    return False


def point_radius_m() -> int:
    return int(getattr(settings, "JULI_OPEN311_POINT_RADIUS_M", 100))


def locate(
    lat: Decimal | None, lng: Decimal | None, address: str
) -> tuple[Point | None, Area | None]:
    """Where a public report lies: (point, None) or (None, area); see the module doc."""
    if lat is not None and lng is not None:
        radius = point_radius_m()
        dlat = Decimal(radius / 111_000)
        dlng = Decimal(radius / (111_000 * max(math.cos(math.radians(float(lat))), 0.01)))
        near = Point.objects.filter(
            is_active=True,
            area__is_active=True,
            lat__range=(lat - dlat, lat + dlat),
            lng__range=(lng - dlng, lng + dlng),
        ).select_related("area")
        best = min(
            ((distance_m(lat, lng, p.lat, p.lng), p.pk, p) for p in near),  # type: ignore[arg-type]
            default=None,
        )
        if best is not None and best[0] <= radius:
            return best[2], None
        areas = Area.objects.filter(is_active=True)
        inside = [
            a
            for a in areas.filter(boundary__isnull=False)
            if _in_boundary(a.boundary, float(lng), float(lat))
        ]
        if inside:
            return None, max(inside, key=lambda a: (a.depth, -a.pk))
        centred = areas.filter(centre_lat__isnull=False, centre_lng__isnull=False)
        nearest = min(
            (
                (distance_m(lat, lng, a.centre_lat, a.centre_lng), -a.depth, a.pk, a)
                for a in centred
            ),
            default=None,
        )
        if nearest is not None:
            return None, nearest[3]
    if address:
        point = (
            Point.objects.filter(is_active=True, area__is_active=True)
            .annotate(address=Value(address), name_length=Length("name"))
            .filter(address__contains=F("name"))
            .select_related("area")
            .order_by("-name_length", "pk")
            .first()
        )
        if point is not None:
            return point, None
        area = (
            Area.objects.filter(is_active=True)
            .annotate(address=Value(address), name_length=Length("name"))
            .filter(address__contains=F("name"))
            .order_by("-name_length", "-depth", "pk")
            .first()
        )
        if area is not None:
            return None, area
    roots = list(Area.objects.filter(depth=1, is_active=True)[:2])
    if len(roots) == 1:
        return None, roots[0]
    raise Open311Error(400, _("The location could not be placed in any area."))


def _throttle(request: HttpRequest) -> None:
    limit = int(getattr(settings, "JULI_OPEN311_POSTS_PER_HOUR", 30))
    if limit <= 0:
        return
    ip = client_ip_from_meta(request.META) or ""
    key = f"juli:open311:post:{ip}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, 3600)
    if cache.incr(key) > limit:
        raise Open311Error(429, _("Too many reports from this address; try again later."))


def post_request(request: HttpRequest) -> Outcome:
    """Validate a public report and create its case once (see the module doc)."""
    try:
        key = idempotency.resolve_key(
            request.headers.get(idempotency.HEADER), request.POST.get("client_uuid")
        )
    except idempotency.KeyError_ as error:
        raise Open311Error(400, error.message) from None
    fields = {name: _field(request, name) for name in LIMITS}
    body: dict[str, Any] = {k: v for k, v in sorted(request.POST.items()) if k != "api_key"}
    photos = []
    media = request.FILES.get("media")
    if media is not None:
        try:
            clean = clean_image(media)
        except ValidationError as error:
            raise Open311Error(400, " ".join(error.messages)) from None
        photos.append(PhotoUpload(clean.content, clean.meta()))
        body["media"] = clean.sha256

    def run() -> Outcome:
        return _create(request, fields, key, photos)

    try:
        outcome = idempotency.run_once(
            user=None,
            key=key,
            method="POST",
            path="/open311/v2/requests",
            body=body,
            run=run,
        )
    except ConflictError:
        raise Open311Error(409, _("This client_uuid was already used.")) from None
    except (ValidationError, PermissionDenied) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        raise Open311Error(400, message) from None
    if not outcome.ok:
        raise Open311Error(outcome.status, str(outcome.body.get("detail", "")))
    return outcome


def _create(
    request: HttpRequest,
    fields: dict[str, str],
    key: uuid.UUID | None,
    photos: list[PhotoUpload],
) -> Outcome:
    _throttle(request)
    if not fields["service_code"]:
        raise Open311Error(400, _("service_code is required."))
    category = CaseCategory.objects.filter(code=fields["service_code"], is_active=True).first()
    if category is None:
        raise Open311Error(400, _("No such service_code."))
    if not fields["description"]:
        raise Open311Error(400, _("description is required."))
    lat = _coordinate(str(request.POST.get("lat", "")).strip(), "lat", 90)
    lng = _coordinate(str(request.POST.get("long", "")).strip(), "long", 180)
    if (lat is None) != (lng is None):  # half a position places nothing, even with an address
        raise Open311Error(400, _("Give lat and long together, or neither."))
    if (lat is None or lng is None) and not fields["address_string"]:
        raise Open311Error(400, _("Give lat and long, or address_string."))
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except ValidationError:
            raise Open311Error(400, _("email is not an e-mail address.")) from None
    point, area = locate(lat, lng, fields["address_string"])
    first_line = fields["description"].splitlines()[0] if fields["description"] else ""
    name = " ".join(p for p in (fields["first_name"], fields["last_name"]) if p)
    case = report_case(
        None,
        client_uuid=key or uuid.uuid4(),
        source=Case.Source.PUBLIC,
        category=category,
        title=f"{category.name}：{first_line}"[:60],
        area=area,
        point=point,
        # The address a reporter gives often names their own door: kept for the office in
        # its own field, never in the description the feed publishes.
        description=fields["description"],
        lat=lat,
        lng=lng,
        reporter_name=name[:60],
        reporter_phone=fields["phone"],
        reporter_email=fields["email"],
        reporter_address=fields["address_string"],
        photos=photos,
    )
    return Outcome(
        201,
        [
            {
                "service_request_id": case.number,
                "service_notice": "",
                "account_id": fields["account_id"] or None,
            }
        ],
    )
