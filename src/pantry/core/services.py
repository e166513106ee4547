from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pantry.core.errors import Invalid, NotFound
from pantry.core.models import ApiToken, new_token, token_digest

USERNAME_MAX = 150


@transaction.atomic
def create_token(*, username: str) -> str:
    """Create an API token for ``username`` and return it (shown only once).

    Creates the user as staff when missing, and makes an existing user staff.
    """
    username = username.strip()
    if not username or len(username) > USERNAME_MAX:
        raise Invalid(f"A username has 1 to {USERNAME_MAX} characters.")
    user_model = get_user_model()
    user, created = user_model.objects.select_for_update().get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif not user.is_staff or not user.is_active:
        user.is_staff = True
        user.is_active = True
        user.save(update_fields=["is_staff", "is_active"])
    token = new_token()
    ApiToken.objects.create(user=user, digest=token_digest(token), hint=token[:10])
    return token


def revoke_tokens(*, username: str) -> int:
    """Revoke every active token of ``username``; return how many there were."""
    user_model = get_user_model()
    if not user_model.objects.filter(username=username).exists():
        raise NotFound(f"There is no user {username!r}.")
    return ApiToken.objects.filter(
        user__username=username, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
