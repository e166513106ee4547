"""The fake provider's own payment page: approve or decline, then return."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pantry.core.errors import PantryError
from pantry.payments.models import Payment
from pantry.payments.providers.fake import send_webhook


@require_http_methods(["GET", "HEAD", "POST"])
def fake_payment_page(request: HttpRequest, ref: str) -> HttpResponse:
    """GET shows the payment; POST approves or declines it by webhook."""
    payment = Payment.objects.filter(provider="fake", provider_ref=ref).first()
    if payment is None:
        raise Http404("No such payment.")
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            send_webhook(provider_ref=ref, approve=approve, amount=payment.amount)
        except PantryError as exc:
            messages.error(request, exc.detail)
            return redirect(request.path)
        return redirect(payment.provider_data.get("return_url") or "/")
    return render(request, "payments/fake.html", {"payment": payment})
