"""POST /api/v1/auth/token/: exchange a username and password for an API token.

The same lockout and audit as the login page (accounts.services.issue_api_token); no session is made.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services

_STATUS = {
    "bad": status.HTTP_400_BAD_REQUEST,
    "otp_required": status.HTTP_400_BAD_REQUEST,
    "locked": 429,
    "throttled": 429,
    "must_change": status.HTTP_403_FORBIDDEN,
    "must_enrol": status.HTTP_403_FORBIDDEN,
}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=128, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        label="动态验证码",
        max_length=16,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="启用了双因素认证的账号（各类管理员必须启用）：认证器上的6位动态码，或一个恢复码",
    )


class TokenView(APIView):
    # No session or token needed to ask for a token; and no SessionAuthentication, so no CSRF check.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="获取接口令牌",
        description="用户名和密码换取令牌，请求头写作 `Authorization: Token <令牌>`。"
        "令牌在 `expires_at` 到期，连续 `idle_minutes` 分钟未使用也会失效（返回401），届时请重新获取。"
        "连续失败将锁定账号，同一IP失败过多时只允许曾从该IP登录过的账号继续尝试；尚未修改初始密码的账号返回403。"
        "管理员（及自愿启用双因素认证的用户）须同时提交 `otp` 动态验证码；尚未在网页启用的返回403。",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(help_text="令牌的最终到期时间"),
                    "idle_minutes": serializers.IntegerField(help_text="连续这么多分钟未使用，令牌即失效"),
                },
            ),
            400: OpenApiResponse(description="用户名或密码错误，或动态验证码缺失、错误、已使用"),
            403: OpenApiResponse(description="请先登录网页修改初始密码，或先在网页启用双因素认证"),
            429: OpenApiResponse(description="登录失败次数过多：账号已锁定，或此IP的新账号尝试暂被限制"),
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, key = services.issue_api_token(
                request=request._request,
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
                otp_code=serializer.validated_data.get("otp", ""),
            )
        except services.LoginError as exc:
            return Response({"detail": str(exc)}, status=_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))
        return Response(
            {"token": key, "expires_at": token.expires_at, "idle_minutes": settings.API_TOKEN_IDLE_MINUTES}
        )
