"""The department systems' side of the API: callbacks and short-lived material links."""

from django.http import FileResponse
from ninja import Router

from . import schemas, services

router = Router(tags=["部门业务系统对接"])

CALLBACK_DOC = {
    "parameters": [
        {
            "name": h,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": d,
        }
        for h, d in [
            ("webhook-id", "事件ID，与请求体 id 相同"),
            ("webhook-timestamp", "签名时间（Unix 秒），与服务器时间相差不超过300秒"),
            (
                "webhook-signature",
                "v1,<base64(HMAC-SHA256(密钥, id.timestamp.body))>，可空格分隔多个",
            ),
        ]
    ],
    "requestBody": {
        "required": True,
        "content": {"application/cloudevents+json": {"schema": schemas.schema("callback")}},
    },
}


@router.post(
    "/integration/{system}/events",
    auth=None,
    summary="部门业务系统回调办理结果（CloudEvents 1.0，Standard Webhooks 签名）",
    openapi_extra=CALLBACK_DOC,
    response={200: dict},
)
def callback(request, system: str):
    return services.callback_receive(system_code=system, headers=request.headers, body=request.body)


@router.get(
    "/integration/materials/{token}",
    auth=None,
    summary="部门业务系统下载材料（推送消息中的短时链接）",
)
def material(request, token: str):
    upload, handle = services.material_open(token=token)
    return FileResponse(handle, content_type=upload.content_type, filename=upload.name)
