from ninja import Router, Schema

from .auth import API_AUTH

router = Router(tags=["账户"])


class Me(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    department: str | None
    region: str | None


@router.get("/me", response=Me, auth=API_AUTH, summary="当前用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "department": user.department.name if user.department else None,
        "region": user.region_id,
    }
