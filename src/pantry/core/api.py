from django.http import HttpRequest
from ninja import Router, Schema

from pantry.core.auth import staff

router = Router(tags=["auth"])


class MeOut(Schema):
    username: str
    is_staff: bool


@router.get(
    "/me", response=MeOut, auth=staff, summary="The staff user of the bearer token"
)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(username=user.username, is_staff=user.is_staff)
