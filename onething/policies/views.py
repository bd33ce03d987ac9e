"""Pages: the library, the holder's own space (我的政策), staff batch review, the rule builder."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onething.common import audit
from onething.common.errors import DomainError

from . import exchange, holders, selectors, services, tester
from .constants import Category, Subject
from .models import Grant
from .rules import rule_errors

SAMPLE = 20


def index(request):
    subject, category = request.GET.get("subject", ""), request.GET.get("category", "")
    items = selectors.policies(subject=subject, category=category, q=request.GET.get("q", ""))
    return render(
        request,
        "policies/index.html",
        {
            "policies": items,
            "subjects": Subject.choices,
            "categories": Category.choices,
            "subject": subject,
            "category": category,
            "q": request.GET.get("q", ""),
        },
    )


def _policy(code: str):
    policy = selectors.policy_get(code)
    if policy is None:
        raise Http404
    return policy


def _is_editor(user) -> bool:
    return getattr(user, "role", None) in services.EDITORS


def detail(request, code: str):
    policy = _policy(code)
    explanation = holders.wording_for(policy.subject).explain(policy.current.eligibility, {})
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "v": policy.current,
            "conditions": [c.text for c in explanation.conditions],
            "regions": selectors.counts_by_region(policy),
            "is_editor": _is_editor(request.user),
            "runs": selectors.runs_of(policy) if _is_editor(request.user) else [],
        },
    )


@login_required
def mine(request):
    spaces = selectors.my_findings(request.user)
    return render(
        request,
        "policies/mine.html",
        {
            "spaces": [(Subject(s).label, space) for s, space in spaces.items()],
            "grants": selectors.my_grants(request.user),
        },
    )


@login_required
def apply(request, code: str):
    policy = _policy(code)
    holder = selectors.holder_for(request.user, policy.subject)
    if holder is None:
        raise Http404
    if request.method == "POST":
        try:
            services.policy_apply(
                policy=policy, actor=request.user, confirmations=request.POST.getlist("confirm")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已提交「{policy.current.title}」申请，基础信息已自动带入。")
            return redirect("policies:mine")
    values = holders.attributes(holder, _today())
    wording = holders.wording_for(policy.subject)
    rows = [
        (wording.labels[k], wording.value(k, v)) for k, v in values.items() if v not in (None, "")
    ]
    return render(
        request, "policies/apply.html", {"policy": policy, "holder": holder, "rows": rows}
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


@login_required
@require_POST
def opt_out(request, code: str):
    policy = _policy(code)
    try:
        services.opt_out(policy=policy, actor=request.user)
        messages.success(request, f"已退订「{policy.current.title}」的消息提醒。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("policies:mine")


@login_required
@require_POST
def grant_decline(request, grant_id: int):
    grant = Grant.objects.select_related("policy").filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    try:
        services.grant_decline(grant=grant, actor=request.user)
        messages.success(request, "已放弃该项待遇，今后不再发放。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("policies:mine")


@login_required
@require_POST
def run_start(request, code: str):
    policy = _policy(code)
    try:
        run = services.run_start(
            policy=policy, kind=request.POST.get("kind", "match"), actor=request.user
        )
        messages.success(request, f"已提交后台运行（编号 {run.pk}），完成后刷新本页查看结果。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("policies:detail", code=code)


@login_required
def batches(request):
    items = selectors.batches_visible_to(request.user)
    if not _is_editor(request.user) and not items.exists() and request.user.role != "supervisor":
        raise Http404
    return render(request, "policies/batches.html", {"batches": items[:100]})


def _batch(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    if batch is None:
        raise Http404
    return batch


@login_required
def batch_detail(request, batch_id: int):
    batch = _batch(request, batch_id)
    return render(
        request,
        "policies/batch.html",
        {
            "batch": batch,
            "regions": selectors.batch_by_region(batch),
            "sample": selectors.batch_holders(request.user, batch.grants.all())[:SAMPLE],
            "exclusions": selectors.batch_holders(request.user, batch.exclusions.all())[:SAMPLE],
            "exclusion_counts": selectors.batch_exclusions(batch),
            "rule": json.dumps(batch.version.eligibility, ensure_ascii=False, indent=1),
            "benefit": json.dumps(batch.version.benefit, ensure_ascii=False, indent=1),
            "can_review": request.user.role in services.REVIEWERS,
        },
    )


@login_required
@require_POST
def batch_review(request, batch_id: int):
    batch = _batch(request, batch_id)
    if request.user.role not in services.REVIEWERS:
        raise PermissionDenied("监督人员只能查看批次，不能审核")
    note = request.POST.get("note", "")
    try:
        if request.POST.get("decision") == "approve":
            services.batch_approve(batch=batch, actor=request.user, note=note)
            messages.success(request, "批次已批准，受益人已收到通知，可下载发放清单。")
        else:
            services.batch_reject(batch=batch, actor=request.user, note=note)
            messages.success(request, "批次已驳回。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("policies:batch", batch_id=batch.pk)


@login_required
def disbursement(request, batch_id: int, fmt: str):
    """Full ID numbers only for those who approve and pay (REVIEWERS), each download audited;
    supervisors get the list masked."""
    batch = _batch(request, batch_id)
    prefix = selectors.region_prefix(request.user)
    if batch.status != "approved" or fmt not in ("csv", "xlsx") or prefix is None:
        raise Http404
    full = request.user.role in services.REVIEWERS
    if full and batch.policy.subject == "person":
        audit.sensitive_read(
            actor=request.user,
            object=batch,
            what="policy.disbursement",
            fields=["holder_name", "id_number"],
            rows=batch.beneficiaries,
        )
    name = f"disbursement-{batch.policy.code}-{batch.period}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            exchange.disbursement_csv(batch, full=full, prefix=prefix),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = HttpResponse(
            exchange.disbursement_xlsx(batch, full=full, prefix=prefix), content_type=XLSX
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request, fmt: str):
    if not _is_editor(request.user):
        raise Http404
    items = selectors.policies()
    if fmt == "json":
        response = HttpResponse(exchange.export_json(items), content_type="application/json")
    elif fmt == "xlsx":
        response = HttpResponse(exchange.export_xlsx(items), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="policies.{fmt}"'
    return response


# ---- rule builder (htmx) ----------------------------------------------------------------------


def _parse_rule(text: str):
    try:
        return json.loads(text or "null"), None
    except json.JSONDecodeError as error:
        return None, f"JSON 格式错误：第 {error.lineno} 行第 {error.colno} 列，{error.msg}"


@login_required
@require_POST
def rule_check(request):
    """Live validation of the rule textarea: the path inside the rule for every problem."""
    if not _is_editor(request.user):
        raise Http404
    rule, problem = _parse_rule(request.POST.get("rule", ""))
    subject = request.POST.get("subject", Subject.ENTITY)
    problems = [problem] if problem else rule_errors(rule, subject)
    return render(
        request,
        "policies/_rule_check.html",
        {"problems": problems, "variables": sorted(holders.labels_for(subject).items())},
    )


@login_required
@require_POST
def rule_test(request):
    """Evaluate the rule against a typed sample record, or one holder of the editor's region
    chosen by ID number or credit code (audited: see ``tester``)."""
    if not _is_editor(request.user):
        raise Http404
    rule, problem = _parse_rule(request.POST.get("rule", ""))
    context = tester.run(
        request.user,
        rule=rule,
        problem=problem,
        number=request.POST.get("number", "").strip(),
        sample=request.POST.get("sample", ""),
        subject=request.POST.get("subject", ""),
        today=_today(),
    )
    return render(request, "policies/_rule_test.html", context)
