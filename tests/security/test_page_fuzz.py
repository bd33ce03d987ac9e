"""Property-based fuzzing of the page forms (the API is fuzzed by test_api_fuzz.py).

The pages of the access matrix are rendered for every role on the fuzz world (fuzz_world.py);
every POST form found in them (action, fields, the options of each select) is then posted back
by that role with values drawn by Hypothesis: the form's own value, an option, arbitrary text,
hostile strings (NUL, non-finite numbers, overlong digits, markup, control characters, a family
emoji), or the field left out. Every answer must be below 500, and an error answer must be a
Chinese page of the site, never Django's English one. Counts go to
$ONETHING_VAR_DIR/page-fuzz-summary.json and are printed.
"""

import json
import os
import re
import time
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from . import fuzz_world
from .test_access_matrix import documented

MAX_EXAMPLES = int(os.environ.get("ONETHING_PAGE_FUZZ_MAX_EXAMPLES", "6"))
HOSTILE = [
    "\x00",
    "a\x00b",
    "'; --",
    "NaN",
    "Infinity",
    "1e400",
    "-1",
    "9" * 40,
    "",
    "<script>alert(1)</script>",
    "a\u0007b",
    "\u202e",
    "家👨‍👩‍👧‍👦",
    " " * 300,
    "0",
]
ENGLISH = ("Bad Request", "Not Found", "Forbidden (403)", "Server Error", "CSRF verification")
CJK = re.compile(r"[\u4e00-\u9fff]")
SKIPPED_ACTIONS = ("/accounts/logout", "/admin/")  # logging out ends the probe, not a form test
# A path parameter's sample ids by the page it is in: {pk} of a rectification or ticket, {number}
# of a ticket (a 工单编号, not a case number).
PARAMS = {"rect": {"pk": "rect_id"}, "ticket": {"pk": "ticket_id", "number": "ticket_number"}}


class Forms(HTMLParser):
    """POST forms of a page: action, hidden/visible fields with their values, select options."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "options": {}}
        elif self._form is not None and a.get("name"):
            if tag in ("input", "textarea") and a.get("type") not in ("submit", "button", "file"):
                self._form["fields"].setdefault(a["name"], a.get("value") or "")
            elif tag == "select":
                self._select = a["name"]
                self._form["fields"].setdefault(a["name"], "")
        if tag == "option" and self._form is not None and self._select:
            self._form["options"].setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _fill(path: str, ids: dict) -> str | None:
    def value(m):
        name = m[1]
        page = next((names for k, names in PARAMS.items() if f"/{k}" in path), {})
        name = page.get(name, name)
        known = {"fmt": ["csv"], "action": ["acknowledge"], **ids}.get(name)
        if not known:
            raise KeyError(name)
        return str(known[0])

    try:
        return re.sub(r"\{(\w+)\}", value, path)
    except KeyError:
        return None  # a page whose object the fuzz world has none of


def discover(client, world) -> list[tuple[str, str, dict]]:
    """(role, page, form) for every POST form of every page, deduplicated by action and fields."""
    pages = sorted(p for (m, p), _ in documented().items() if m == "PAGE")
    found, seen = [], set()
    for role, user in world["people"].items():
        client.force_login(user)
        for path in pages:
            url = _fill(path, world["ids"])
            response = client.get(url) if url else None
            if (
                response is None
                or response.status_code != 200
                or "html" not in response["Content-Type"]
            ):
                continue
            parser = Forms()
            parser.feed(response.content.decode(errors="replace"))
            for form in parser.forms:
                action = form["action"] or url
                key = (role, action, tuple(sorted(form["fields"])))
                if action.startswith(SKIPPED_ACTIONS) or key in seen:
                    continue
                seen.add(key)
                found.append((role, url, {**form, "action": action}))
    return found


MISSING = object()


def values_for(form: dict) -> st.SearchStrategy:
    fields = {}
    for name, own in form["fields"].items():
        if name == "csrfmiddlewaretoken":
            continue
        choices = [own, *form["options"].get(name, [])]
        fields[name] = st.one_of(
            st.sampled_from(choices),
            st.sampled_from(HOSTILE),
            st.text(max_size=40),
            st.just(MISSING),
        )
    return st.fixed_dictionaries(fields)


def check(response, where: str) -> None:
    assert response.status_code < 500, f"服务器错误 {response.status_code}：{where}"
    if response.status_code < 400 or response.status_code == 405:
        return
    kind = response.get("Content-Type", "")
    text = response.content.decode(errors="replace")
    assert not any(word in text for word in ENGLISH), f"英文错误页：{where}\n{text[:300]}"
    assert "json" in kind or CJK.search(text), f"错误页没有中文：{where}\n{text[:300]}"


def fuzz_form(client, where: str, form: dict, stats: Counter) -> None:
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values_for(form))
    def post(data):
        body = {k: v for k, v in data.items() if v is not MISSING}
        response = client.post(form["action"], body)
        stats["requests"] += 1
        stats[response.status_code] += 1
        check(response, f"{where} {body!r}"[:400])

    post()


@pytest.fixture
def world(mini_catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return fuzz_world.build()


@pytest.mark.django_db
def test_page_forms_never_answer_a_server_error_or_an_english_page(client, world):
    started = time.monotonic()
    forms = discover(client, world)
    stats = Counter()
    for role, page, form in forms:
        client.force_login(world["people"][role])
        fuzz_form(client, f"{role} POST {form['action']}（{page} 上的表单）", form, stats)
    summary = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "forms": len(forms),
        "actions": len({f["action"] for _, _, f in forms}),
        "requests": stats.pop("requests", 0),
        "server_errors": sum(n for code, n in stats.items() if code >= 500),
        "status": {str(k): v for k, v in sorted(stats.items())},
        "seconds": round(time.monotonic() - started, 1),
    }
    path = settings.VAR_DIR / "page-fuzz-summary.json"
    runs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    runs[summary["database"]] = summary
    path.write_text(json.dumps(runs, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nPage fuzz: {json.dumps(summary, ensure_ascii=False)}")
    assert len(forms) >= 20 and summary["requests"] >= len(forms)
