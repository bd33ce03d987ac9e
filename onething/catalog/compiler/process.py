"""The process: dependencies (explicit and implied by results), parallel stages, critical paths."""

from . import reductions as red
from .situations import CompileError, holds, situations


def items_of(snapshot: dict, codes: list[str]) -> list[dict]:
    by_code = {item["code"]: item for item in snapshot["items"]}
    return [by_code[c] for c in codes]


def dependency_edges(snapshot: dict, codes: list[str]) -> dict[str, set[str]]:
    """item → the member items it needs; explicit ones plus those implied by results.

    A material an item needs is produced by a member item whose result is that licence
    type, unless that producer itself waits for the item: then the licence must come
    from the applicant's wallet instead, and no edge (and no cycle) is implied.
    """
    active = set(codes)
    producers: dict[str, list[str]] = {}
    for item in items_of(snapshot, codes):
        if item.get("result"):
            producers.setdefault(item["result"], []).append(item["code"])
    needs: dict[str, set[str]] = {code: set() for code in codes}
    for dep in snapshot.get("dependencies", []):
        if dep["item"] in active:
            needs[dep["item"]].update(r for r in dep["requires"] if r in active)
    for item in items_of(snapshot, codes):
        for entry in item["materials"]:
            lt = snapshot["materials"][entry["material"]].get("license_type")
            for producer in producers.get(lt, ()):
                if producer != item["code"] and not reaches(needs, producer, item["code"]):
                    needs[item["code"]].add(producer)
                    break
    return needs


def reaches(needs: dict[str, set[str]], start: str, target: str) -> bool:
    """Does ``start`` (transitively) need ``target``?"""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(needs.get(node, ()))
    return False


def find_cycle(needs: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle as a list of codes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(needs.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(needs):
        if node not in state and (found := visit(node)):
            return found
    return None


def stages_of(needs: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """Layer items so that each runs after everything it needs (longest-path layering)."""
    if cycle := find_cycle(needs):
        raise CompileError("事项前后置关系存在循环：" + " → ".join(cycle))
    depth: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in depth:
            depth[code] = 1 + max((level(r) for r in needs[code]), default=-1)
        return depth[code]

    stages: list[list[str]] = [[] for _ in range(1 + max(map(level, order), default=-1))]
    for code in order:
        stages[depth[code]].append(code)
    return stages


def critical_path(needs: dict[str, set[str]], days: dict[str, int]) -> tuple[int, list[str]]:
    """Longest chain of promised days: the one-thing takes this long, not the sum."""
    best: dict[str, tuple[int, list[str]]] = {}

    def finish(code: str) -> tuple[int, list[str]]:
        if code not in best:
            before = max((finish(r) for r in needs[code]), default=(0, []))
            best[code] = (before[0] + days[code], before[1] + [code])
        return best[code]

    return max((finish(c) for c in needs), default=(0, []))


def longest_committed_path(snapshot: dict) -> tuple[int, list[str], dict]:
    """The longest critical path of committed item limits over every situation, and where."""
    worst: tuple[int, list[str], dict] = (0, [], {})
    for answers in situations(snapshot.get("questions", [])):
        codes = [i["code"] for i in snapshot["items"] if holds(i.get("when"), answers)]
        needs = dependency_edges(snapshot, codes)
        if find_cycle(needs):
            continue
        items = items_of(snapshot, codes)
        days, path = critical_path(needs, {i["code"]: red.committed_days(i) for i in items})
        if days > worst[0]:
            worst = (days, path, answers)
    return worst
