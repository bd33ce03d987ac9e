"""JSON API of the policy library: /api/policies, /api/me/policies, runs."""

from ninja import Router, Status

from onething.accounts.auth import API_AUTH
from onething.common.errors import NotFound

from . import holders, selectors, services
from .schemas import MyPoliciesOut, PolicyDetailOut, PolicyOut, RunIn, RunOut

router = Router(tags=["政策"])


def _policy_out(policy) -> dict:
    v = policy.current
    return {
        "code": policy.code,
        "title": v.title,
        "subject": policy.subject,
        "category": policy.category,
        "mode": policy.mode,
        "recurrence": policy.recurrence,
        "department": v.department,
        "summary": v.summary,
        "benefit_text": v.benefit_text,
        "version": v.number,
        "tags": v.tags,
        "valid_until": v.valid_until,
    }


def _policy_or_404(code: str):
    policy = selectors.policy_get(code)
    if policy is None:
        raise NotFound("未找到该政策")
    return policy


@router.get("/policies", response=list[PolicyOut], auth=None)
def policy_list(request, subject: str = "", category: str = "", q: str = ""):
    return [_policy_out(p) for p in selectors.policies(subject=subject, category=category, q=q)]


@router.get("/policies/{code}", response=PolicyDetailOut, auth=None)
def policy_detail(request, code: str):
    policy = _policy_or_404(code)
    v = policy.current
    wording = holders.wording_for(policy.subject)
    conditions = [c.text for c in wording.explain(v.eligibility, {}).conditions]
    return {
        **_policy_out(policy),
        "source": v.source,
        "clause": v.clause,
        "eligibility": v.eligibility,
        "benefit": v.benefit,
        "confirmations": v.confirmations,
        "conditions": conditions,
        "qualified_by_region": selectors.counts_by_region(policy),
    }


def _finding_out(finding) -> dict:
    p = finding.policy
    return {
        "code": p.code,
        "title": p.current.title,
        "subject": p.subject,
        "mode": p.mode,
        "conditions": finding.lines,
        "failed": finding.failed,
        "amount": finding.amount,
    }


@router.get("/me/policies", response=MyPoliciesOut, auth=API_AUTH)
def my_policies(request):
    spaces = selectors.my_findings(request.user).values()
    return {
        "matches": [_finding_out(f) for s in spaces for f in s["matches"]],
        "near_misses": [_finding_out(f) for s in spaces for f in s["near"]],
    }


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "policy": run.policy.code,
        "version": run.version.number,
        "kind": run.kind,
        "period": run.period,
        "status": run.status,
        "job_id": run.job_id,
        "stats": run.stats,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


@router.post("/policies/{code}/runs", response={202: RunOut}, auth=API_AUTH)
def run_start(request, code: str, payload: RunIn):
    services.require_role(request.user, services.EDITORS)
    policy = _policy_or_404(code)
    run = services.run_start(
        policy=policy, kind=payload.kind, period=payload.period, actor=request.user
    )
    return Status(202, _run_out(run))


@router.get("/policy-runs/{run_id}", response=RunOut, auth=API_AUTH)
def run_get(request, run_id: int):
    run = selectors.run_get(request.user, run_id)
    if run is None:
        raise NotFound("未找到该运行记录")
    return _run_out(run)
