"""Demo policies from data/policies/policies.json, matched over the demo registries."""

from django.conf import settings

from . import exchange, services
from .models import Policy

DEMO_FILE = settings.DATA_DIR / "policies" / "policies.json"


def load(*, seed: int, stdout) -> None:
    """Called by ``onething demo load`` after the registry's demo (needs its persons/entities)."""
    result = services.policies_import(items=exchange.read_file(DEMO_FILE))
    matched = 0
    for policy in Policy.objects.filter(current__isnull=False):
        matched += services.refresh_matches(policy=policy)["matched"]
    stdout.write(f"政策库：{result['policies']} 项政策，匹配 {matched} 条（政策找人已推送）")
