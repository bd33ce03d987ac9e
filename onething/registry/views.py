"""Pages: the holder's wallet and usage log, the clerk's lookup, the public verify page."""

import base64
import io
import json

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from onething.common.errors import DomainError

from . import pdfs, presenters, selectors, services
from .constants import CONSENT_ROLES, HOLDER_CODE_SECONDS
from .models import Person


def qr_svg(text: str) -> str:
    """Inline SVG (our own markup, no user HTML) for a QR code."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def qr_png(text: str) -> str:
    buf = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _holders(user):
    person, entity = selectors.person_for_user(user), selectors.entity_for_user(user)
    return (None, entity) if entity is not None else (person, None)


@login_required
def wallet(request):
    person, entity = _holders(request.user)
    licences = list(selectors.wallet(request.user))
    context = {
        "person": person,
        "entity": entity,
        "licences": licences,
        "valid": [lic for lic in licences if lic.current_status == "valid"],
        "others": [lic for lic in licences if lic.current_status != "valid"],
        "reminders": selectors.reminders(request.user)[:10],
        "code_label": "企业码" if entity else "身份码",
    }
    return render(request, "registry/wallet.html", context)


@login_required
def holder_code(request):
    """The htmx partial with a fresh 5-minute code (the page refreshes it before it lapses)."""
    person, entity = _holders(request.user)
    if person is None and entity is None:
        raise Http404("未关联")
    code = services.holder_code(person=person, entity=entity)
    context = {
        "code": code,
        "svg": qr_svg(code),
        "seconds": HOLDER_CODE_SECONDS,
        "code_label": "企业码" if entity else "身份码",
    }
    return render(request, "registry/_holder_code.html", context)


@login_required
def usage(request):
    rows = presenters.usage_rows(selectors.usage_log(request.user)[:300])
    return render(request, "registry/usage.html", {"rows": rows})


def _visible_or_404(request, identifier):
    lic = selectors.license_for(request.user, identifier)
    if lic is None:
        raise Http404("未找到该证照，或您无权查看")
    if not selectors.is_holder(request.user, lic):
        services.usage_record(
            actor=request.user,
            purpose="查看电子证照",
            case_number="",
            person=lic.person,
            entity=lic.entity,
            licenses=[lic],
        )
    return lic


@login_required
def license_detail(request, identifier):
    """Personal numbers masked; ``?full=1`` shows them in full and records who saw them."""
    lic = _visible_or_404(request, identifier)
    full = request.GET.get("full") == "1"
    if full:
        presenters.audit_full_view(request.user, lic)
    context = {
        "lic": lic,
        # 有效期至 is the record's own row below, in one format.
        "faces": presenters.face_rows(lic, full=full, skip=("valid_until",)),
        "full": full,
        "has_personal": bool(presenters.personal_fields(lic)) or lic.person_id is not None,
        "holder_number": lic.holder_number if full else lic.masked_holder_number,
        "verify_url": presenters.verify_url(identifier),
        "qr": qr_png(presenters.verify_url(identifier)),
        "is_holder": selectors.is_holder(request.user, lic),
    }
    return render(request, "registry/license.html", context)


@login_required
def download_json(request, identifier):
    # The signed record is the licence itself, numbers in full (the seal covers them): audited.
    lic = _visible_or_404(request, identifier)
    presenters.audit_full_view(request.user, lic, what="license.download")
    body = json.dumps(presenters.signed_document(lic), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{identifier}.json"'
    return response


@login_required
def download_pdf(request, identifier):
    lic = _visible_or_404(request, identifier)
    presenters.audit_full_view(request.user, lic, what="license.download")
    response = HttpResponse(pdfs.license_pdf(lic), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{identifier}.pdf"'
    return response


def verify_form(request):
    identifier = (request.GET.get("identifier") or "").strip()
    if identifier:
        return redirect("registry:verify", identifier=identifier[:160])
    return render(request, "registry/verify_form.html")


def verify(request, identifier):
    lic, verdict = selectors.verify(identifier)
    return render(
        request, "registry/verify.html", {"v": presenters.verdict_row(identifier, lic, verdict)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def lookup(request):
    if request.user.role not in CONSENT_ROLES:
        return render(request, "registry/lookup.html", {"forbidden": True}, status=403)
    context = {"code": request.POST.get("code", "")}
    if request.method == "POST":
        try:
            holder = services.holder_from_code(code=context["code"], clerk=request.user)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context.update(_holder_context(holder))
    return render(request, "registry/lookup.html", context)


def _holder_context(holder) -> dict:
    is_person = isinstance(holder, Person)
    kwargs = {"person": holder} if is_person else {"entity": holder}
    return {
        "holder": holder,
        "holder_number": holder.masked_id if is_person else holder.credit_code,
        "licences": list(selectors.licenses_of(**kwargs)),
    }
