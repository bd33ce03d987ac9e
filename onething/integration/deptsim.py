"""The reference department system: the department side of docs/integration.md, in one process.

It receives signed dispatches, verifies them, fetches the materials through their short-lived
links (checking each SHA-256), decides after a delay and calls back with signed CloudEvents.
It answers status queries and the open-task list for reconciliation. POST /_control changes
its behaviour while it runs (slow, fail, down, answer twice, out of order, mute, decision);
GET /_state shows what it holds. No Django: it is what a vendor would write.
"""

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import signing

PREFIX = "cn.gov.onething.task."


class Sim:
    def __init__(self, *, secret: str, signing_key: str, source: str, onething: str = ""):
        self.secret, self.signing_key, self.source = secret, signing_key, source
        self.onething = onething.rstrip("/")
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.seen: set[str] = set()
        self.stats = {
            "dispatches": 0,
            "duplicates": 0,
            "refused": 0,
            "callbacks_sent": 0,
            "callbacks_failed": 0,
            "materials_ok": 0,
            "materials_bad": 0,
        }
        self.control = {
            "delay": 0.2,
            "fail": 0,
            "down": False,
            "duplicate": False,
            "reorder": False,
            "mute": False,
            "decide": "approve",
            "result": {},
        }

    # ---- receiving ---------------------------------------------------------------------

    def receive(self, headers, body: bytes, schedule: bool = True) -> tuple[int, dict]:
        """Store a verified dispatch once; ``schedule=False`` leaves deciding to the caller."""
        try:
            msg_id = signing.verify([self.signing_key], headers, body, tolerance=300)
        except signing.SignatureError as exc:
            self.stats["refused"] += 1
            return 401, {"error": exc.message}
        event = json.loads(body)
        with self.lock:
            if self.control["fail"] > 0:
                self.control["fail"] -= 1
                return 500, {"error": "simulated failure"}
            if msg_id in self.seen:
                self.stats["duplicates"] += 1
                return 200, {"duplicate": True}
            self.seen.add(msg_id)
            self.stats["dispatches"] += 1
            task = self.tasks.setdefault(
                event["subject"],
                {
                    "ref": event["subject"],
                    "status": "new",
                    "seq": 0,
                    "events": [],
                    "received_at": time.time(),
                },
            )
            task["reply_to"] = event["data"]["reply_to"]
            task["data"] = event["data"]
        kind = event["type"].rsplit(".", 1)[-1]
        if kind != "cancelled":
            if schedule:
                threading.Timer(
                    self.control["delay"], self._work, args=(event["subject"], kind)
                ).start()
        else:
            with self.lock:
                task["status"] = "cancelled"
        return 202, {"accepted": True}

    def _work(self, ref: str, kind: str) -> None:
        task = self.tasks[ref]
        self._fetch_materials(task["data"])
        with self.lock:
            if task["status"] == "cancelled":  # withdrawn by the platform while we fetched
                return
        for event in self.decide(ref, kind):
            for _ in range(2 if self.control["duplicate"] else 1):
                self._call_back(task, event)

    def decide(self, ref: str, kind: str) -> list[dict]:
        """The events the department's decision produces, in the order they are sent."""
        task = self.tasks[ref]
        decide = self.control["decide"]
        events = []
        if kind == "dispatched":
            events.append(self._event(task, "received", {}))
        if decide == "approve" or (decide == "supplement" and kind == "supplemented"):
            result = {**task["data"]["form"], **self._licence(task)}
            events.append(
                self._event(task, "approved", {"opinion": "符合条件，准予许可", "result": result})
            )
        elif decide == "supplement":
            events.append(
                self._event(task, "supplement_requested", {"opinion": "请补充消防设施平面图"})
            )
        elif decide == "refuse":
            events.append(self._event(task, "refused", {"opinion": "经现场核查不符合条件"}))
        elif decide == "withdraw":
            events.append(self._event(task, "withdrawn", {"opinion": "本系统暂不能办理，退回平台"}))
        if self.control["reorder"]:
            events.reverse()
        return events

    def _licence(self, task: dict) -> dict:
        """The licence's face as the department issues it: ``result`` values are templates
        over the form, the prerequisites' results, ``year`` and ``n`` (this system's count of
        approvals), e.g. ``"江岸消检字〔{year}〕第{n:04d}号"`` or ``"{enterprise_name}"``."""
        with self.lock:
            self.stats["approved"] = n = self.stats.get("approved", 0) + 1
        data = task["data"]
        context = _Blank(
            {k: v for prior in data.get("inputs", {}).values() for k, v in prior.items()}
        )
        context.update(data.get("form", {}), year=time.localtime().tm_year, n=n)
        out = {}
        for key, value in self.control["result"].items():
            out[key] = value.format_map(context) if isinstance(value, str) else value
        return out

    def _event(self, task: dict, outcome: str, data: dict) -> dict:
        with self.lock:
            task["seq"] += 1
            task["status"] = outcome
            event = signing.cloudevent(
                type_=PREFIX + outcome,
                source=self.source,
                subject=task["ref"],
                data={"seq": task["seq"], **data},
            )
            task["events"].append(event)
        return event

    def _fetch_materials(self, data: dict) -> None:
        for m in data.get("materials", []):
            if not m.get("url"):
                continue
            for attempt in range(3):
                try:
                    with urllib.request.urlopen(self._local(m["url"]), timeout=10) as resp:
                        ok = hashlib.sha256(resp.read()).hexdigest() == m["sha256"]
                        self.stats["last_material_error"] = "" if ok else "sha256 mismatch"
                    break
                except OSError as exc:
                    ok, self.stats["last_material_error"] = False, str(exc)
                    time.sleep(0.5 * 2**attempt)
            self.stats["materials_ok" if ok else "materials_bad"] += 1

    def _local(self, url: str) -> str:
        """Tests run onething on a port other than its public URL's: rewrite the origin."""
        if not self.onething:
            return url
        parts = urlsplit(url)
        return self.onething + parts.path + (f"?{parts.query}" if parts.query else "")

    def _call_back(self, task: dict, event: dict) -> None:
        """Retry with backoff for about two minutes; after that the platform's polling of
        the status endpoint still finds the event."""
        if self.control["mute"] or self.control["down"]:
            return
        body = signing.encode(event)
        for attempt in range(12):
            headers = signing.headers(self.secret, event["id"], body)
            req = urllib.request.Request(self._local(task["reply_to"]), data=body, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
                self.stats["callbacks_sent"] += 1
                return
            except urllib.error.HTTPError as exc:
                self.stats["last_callback_error"] = f"HTTP {exc.code}"
                if exc.code < 500:  # refused for good: retrying will not help
                    break
            except OSError as exc:
                self.stats["last_callback_error"] = str(exc)
            time.sleep(min(0.2 * 2**attempt, 15))
        self.stats["callbacks_failed"] += 1

    # ---- answering ---------------------------------------------------------------------

    def status(self, ref: str) -> tuple[int, dict]:
        task = self.tasks.get(ref)
        if task is None:
            return 404, {"error": "no such task"}
        return 200, {k: task[k] for k in ("ref", "status", "seq", "events")}

    def open_tasks(self) -> dict:
        closed = {"approved", "refused", "withdrawn", "cancelled"}
        rows = [
            {"ref": t["ref"], "status": t["status"], "seq": t["seq"]}
            for t in self.tasks.values()
            if t["status"] not in closed
        ]
        return {"tasks": rows}

    def state(self) -> dict:
        return {
            "control": self.control,
            "stats": self.stats,
            "tasks": {
                r: {"status": t["status"], "seq": t["seq"], "received_at": t["received_at"]}
                for r, t in self.tasks.items()
            },
        }


class _Blank(dict):
    """A template naming a field the message does not carry renders it empty."""

    def __missing__(self, key):
        return ""


def from_config(path: str, code: str) -> dict:
    """One system's entry of a dept-sim file (what `onething setup` writes for the demo):
    ``[{"code", "port", "secret", "signing_key", "delay", "decide", "result"}, …]``."""
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    for entry in entries:
        if entry.get("code") == code:
            return entry
    raise KeyError(code)


def handler_for(sim: Sim):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status: int, doc: dict, signed: bool = False) -> None:
            body = json.dumps(doc, ensure_ascii=False).encode()
            self.send_response(status)
            headers = signing.headers(sim.secret, uuid.uuid4().hex, body) if signed else {}
            headers["content-type"] = "application/json"
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("content-length") or 0))

        def do_POST(self):
            body = self._body()
            if self.path == "/_control":
                sim.control.update(json.loads(body or b"{}"))
                return self._send(200, sim.state())
            if sim.control["down"]:
                return self._send(503, {"error": "down"})
            if self.path == "/events":
                return self._send(*sim.receive(self.headers, body))
            self._send(404, {"error": "not found"})

        def do_GET(self):
            if self.path == "/_state":
                return self._send(200, sim.state())
            if sim.control["down"]:
                return self._send(503, {"error": "down"})
            try:
                signing.verify(
                    [sim.signing_key], self.headers, f"GET {self.path}".encode(), tolerance=300
                )
            except signing.SignatureError as exc:
                return self._send(401, {"error": exc.message})
            if self.path.startswith("/tasks/"):
                return self._send(*sim.status(self.path[len("/tasks/") :]), signed=True)
            if self.path.startswith("/tasks"):
                return self._send(200, sim.open_tasks(), signed=True)
            self._send(404, {"error": "not found"})

    return Handler


def serve(*, host: str, port: int, sim: Sim) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler_for(sim))
    server.daemon_threads = True
    return server
