"""The inbox. Thin: reads through selectors, changes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.models import Notification
from notifications.selectors import inbox_for_user
from notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 25


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones marked."""
    page = Paginator(inbox_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # A path of this site only: a bare word ("0", "inbox") would be taken for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = inbox_for_user(user=request.user).get(pk=pk)
        notification_mark_read(notification=notification, user=request.user)
    except Notification.DoesNotExist:
        raise Http404("No such notification") from None
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read")
    return redirect(_back(request))
