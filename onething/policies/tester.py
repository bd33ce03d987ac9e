"""The rule tester's holders: a synthetic record typed by the editor, or one real holder.

A real holder is looked up only inside the editor's own region (a provincial editor: the
province), and every lookup that shows one is a sensitive read: an audit row ``read.policy.
rule_test`` naming the fields shown, and a line in the holder's own usage log. A holder outside
the region is answered like an unknown number (the tester is no oracle of who exists) and the
refused lookup is audited as denied.
"""

from onething.common import audit, inputs
from onething.registry import selectors as registry
from onething.registry import services as registry_services
from onething.rules import services as rules

from . import holders
from .constants import Subject
from .rules import rule_errors

PURPOSE = "政策规则试算"
SAMPLE_LIMIT = 5_000  # characters of a typed synthetic record


def run(user, *, rule, problem: str | None, number: str, sample: str, subject: str, today):
    """The template context of one test: ``holder``/``explanation`` or ``problem``."""
    if problem:
        return {"problem": problem, "number": number}
    if sample.strip():
        return _synthetic(rule, sample, subject)
    return _real(user, rule, number, today)


def _explained(rule, subject: str, record: dict) -> dict:
    problems = rule_errors(rule, subject)
    if problems:
        return {"problem": "；".join(problems)}
    return {"explanation": rules.explain(rule, record, labels=holders.labels_for(subject))}


def _synthetic(rule, text: str, subject: str) -> dict:
    subject = subject if subject in Subject.values else Subject.PERSON
    try:
        sample = inputs.loads(text) if len(text) <= SAMPLE_LIMIT else None
    except ValueError:
        sample = None
    if not isinstance(sample, dict):
        return {"problem": f'样例数据应为 JSON 对象（最多 {SAMPLE_LIMIT} 个字），如 {{"age": 80}}'}
    unknown = sorted(set(sample) - holders.variables_for(subject))
    if unknown:
        return {"problem": f"样例数据含未知字段：{'、'.join(unknown)}"}
    record = dict.fromkeys(holders.variables_for(subject)) | sample
    return {"synthetic": True, "holder": {"name": "样例数据"}, **_explained(rule, subject, record)}


def in_scope(user, holder: holders.Holder) -> bool:
    region = getattr(user, "region", None)
    return region is not None and holder.region_code.startswith(region.prefix)


def _real(user, rule, number: str, today) -> dict:
    holder = _holder_by_number(number)
    if holder is not None and not in_scope(user, holder):
        audit.record(
            category=audit.Category.READ,
            action="read.policy.rule_test",
            result=audit.Result.DENIED,
            actor=user,
            object=holder.obj,
            detail={"reason": "不在本人管辖区划内"},
        )
        holder = None
    if holder is None:
        return {"number": number, "scope": getattr(user.region, "name", "")}
    subject = Subject.PERSON if holder.person else Subject.ENTITY
    context = {"holder": holder, "number": number, **_explained(rule, subject, {})}
    if "explanation" in context:
        context["explanation"] = _read(user, rule, holder, subject, today)
    return context


def _read(user, rule, holder: holders.Holder, subject: str, today):
    shown = sorted(rules.variables_of(rule))
    audit.sensitive_read(
        actor=user, object=holder.obj, what="policy.rule_test", fields=["name", *shown]
    )
    registry_services.usage_record(
        actor=user,
        purpose=PURPOSE,
        case_number="",
        person=holder.person,
        entity=holder.entity,
        fields=shown,
    )
    record = holders.attributes(holder, today)
    return rules.explain(rule, record, labels=holders.labels_for(subject))


def _holder_by_number(number: str):
    if len(number) != 18:
        return None
    person = registry.person_by_id_number(number)
    if person is not None:
        return holders.of_person(person)
    entity = registry.entity_by_credit_code(number)
    return holders.of_entity(entity) if entity else None
