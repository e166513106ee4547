"""Emails of customer accounts, sent through Django's tasks framework.

Services queue these with ``on_commit``, so a rolled-back sign-up sends
nothing; each task gets the finished link and needs no query.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string


@task()
def send_verification(*, email: str, name: str, link: str) -> None:
    """Email the link that verifies ``email``."""
    body = render_to_string("customers/email/verify.txt", {"name": name, "link": link})
    send_mail(
        subject="Confirm your email address",
        message=body,
        from_email=None,
        recipient_list=[email],
    )


@task()
def send_password_reset(*, email: str, name: str, link: str) -> None:
    """Email the link that sets a new password."""
    body = render_to_string(
        "customers/email/password_reset.txt", {"name": name, "link": link}
    )
    send_mail(
        subject="Reset your password",
        message=body,
        from_email=None,
        recipient_list=[email],
    )


@task()
def send_email_change(*, email: str, name: str, link: str) -> None:
    """Email the new address the link that moves the account to it."""
    body = render_to_string(
        "customers/email/email_change.txt", {"name": name, "link": link}
    )
    send_mail(
        subject="Confirm your new email address",
        message=body,
        from_email=None,
        recipient_list=[email],
    )


@task()
def send_email_changed(*, email: str, name: str, new_email: str) -> None:
    """Tell the old address that the account moved to ``new_email``."""
    body = render_to_string(
        "customers/email/email_changed.txt", {"name": name, "new_email": new_email}
    )
    send_mail(
        subject="Your email address was changed",
        message=body,
        from_email=None,
        recipient_list=[email],
    )
