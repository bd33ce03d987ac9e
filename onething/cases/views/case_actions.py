"""What reviewers and applicants do on a case's page: accept, decide, supplement, fulfil."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from onething.common.errors import DomainError

from .. import selectors, services
from ..models import Commitment


def _run(request, fn, ok: str):
    try:
        fn()
    except DomainError as exc:
        messages.error(
            request, exc.message + ("：" + "；".join(exc.fields.values()) if exc.fields else "")
        )
        return False
    messages.success(request, ok)
    return True


@login_required
@require_POST
def accept(request, number):
    problems = [p.strip() for p in request.POST.get("problems", "").splitlines() if p.strip()]
    _run(
        request,
        lambda: services.case_accept(
            number=number,
            actor=request.user,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            problems=problems,
        ),
        "已作出受理决定",
    )
    return redirect("cases:detail", number=number)


@login_required
@require_POST
def decide(request, task_id):
    result = {k[2:]: v for k, v in request.POST.items() if k.startswith("r_") and v}
    holder = {}
    ok = _run(
        request,
        lambda: holder.setdefault(
            "task",
            services.task_decide(
                task_id=task_id,
                actor=request.user,
                decision=request.POST.get("decision", ""),
                opinion=request.POST.get("opinion", ""),
                result=result,
            ),
        ),
        "已作出审批决定",
    )
    task = holder.get("task")
    return redirect("cases:detail", number=task.case.number) if ok else redirect("cases:index")


@login_required
@require_POST
def supplement(request, number):
    def go():
        files = {}
        for key, upload in request.FILES.items():
            if key.startswith("file_"):
                files[key[5:]] = str(
                    services.upload_create(
                        owner=request.user, name=upload.name, chunks=upload.chunks()
                    ).pk
                )
        form = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_") and v}
        services.case_supplement(
            number=number,
            actor=request.user,
            form=form,
            files=files,
            note=request.POST.get("note", ""),
        )

    _run(request, go, "补正材料已提交")
    return redirect("cases:detail", number=number)


@login_required
@require_POST
def fulfil(request, commitment_id):
    commitment = Commitment.objects.select_related("case").filter(pk=commitment_id).first()
    if commitment is None or not selectors.is_applicant_of(request.user, commitment.case):
        raise Http404("承诺不存在")

    def go():
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("请选择要补交的文件", fields={"file": "必填"})
        stored = services.upload_create(
            owner=request.user, name=upload.name, chunks=upload.chunks()
        )
        services.commitment_fulfil(
            commitment_id=commitment_id, actor=request.user, file_id=str(stored.pk)
        )

    _run(request, go, "承诺材料已补交")
    return redirect("cases:detail", number=commitment.case.number)
