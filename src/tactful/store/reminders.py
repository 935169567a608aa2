"""Reminders for due follow-ups, posted as JSON to a webhook (Slack-style ``text`` included)."""

from __future__ import annotations

from typing import Any

from tactful.errors import WebhookError as WebhookError

from .records import FollowUpInfo


def reminder(item: FollowUpInfo) -> dict[str, Any]:
    state = "overdue" if item.overdue else "due"
    text = (
        f"Follow-up #{item.id} for {item.customer} is {state} ({item.due_at:%Y-%m-%d %H:%M} UTC): {item.note}"
    )
    return {"type": "tactful.followup_due", "text": text, "followup": item.to_dict()}


def send_reminders(url: str, items: list[FollowUpInfo], timeout_s: float = 10.0) -> int:
    """POST one reminder per follow-up; stops at the first failure with a clear message."""
    import httpx

    sent = 0
    with httpx.Client(timeout=timeout_s) as client:
        for item in items:
            try:
                response = client.post(url, json=reminder(item))
            except httpx.InvalidURL as exc:
                raise WebhookError(f"{url}: not a valid webhook URL ({exc})") from None
            except httpx.HTTPError as exc:
                raise WebhookError(
                    f"{url}: could not send reminder for follow-up #{item.id}: {exc or type(exc).__name__} "
                    f"({sent} sent)"
                ) from None
            if response.status_code >= 400:
                raise WebhookError(
                    f"{url}: the webhook answered HTTP {response.status_code} for follow-up #{item.id} "
                    f"({sent} sent)"
                )
            sent += 1
    return sent
