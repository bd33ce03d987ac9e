"""What every write of policies shares: roles and the role check."""

from onething.accounts.constants import Role
from onething.common.errors import Forbidden

REVIEWERS = {Role.CATALOG_ADMIN, Role.DEPT_ADMIN}


HEADER = ("subject", "category", "mode", "recurrence")


def require_role(user, roles: set) -> None:
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        raise Forbidden("您没有权限进行此操作")
