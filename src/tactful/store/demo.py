"""Demo customers, cases and practice scenarios for a fresh store (``store/demo.yml``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .records import now

if TYPE_CHECKING:
    from .facade import Store

DEMO_FILE = Path(__file__).resolve().parent / "demo.yml"


def load_demo(store: Store) -> int:
    """Add the demo once: a second call finds the first demo customer and adds nothing."""
    from .db import StoreError

    try:
        data: dict[str, Any] = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"{DEMO_FILE}: demo data missing ({exc.strerror})") from None
    customers = data.get("customers", [])
    if not customers:
        return 0
    try:
        store.history(customers[0]["id"])
        return 0
    except StoreError:  # not loaded yet
        pass
    base = now()
    added = 0
    for c in customers:
        for item in c.get("cases", []):
            sent = base - timedelta(days=item["days_ago"])
            record = store.log_reply(
                c["id"],
                item["reply"],
                customer_message=item.get("message"),
                channel=item.get("channel"),
                agent=item.get("agent"),
                received_at=sent - timedelta(minutes=item.get("response_minutes", 1)),
                sent_at=sent,
                request_type=item.get("request_type"),
                policy_id=item.get("policy_id"),
                topic=item.get("topic"),
                customer_name=c.get("name"),
                conversation=f"demo-{c['id']}-{added}",
            )
            added += 1
            if item.get("accepted") and record.refusal and record.refusal.alternatives:
                store.accept_alternative(record.id, int(item["accepted"]))
            if item.get("csat"):
                store.add_feedback(record.id, int(item["csat"]))
        for outcome in c.get("outcomes", []):
            store.record_outcome(c["id"], outcome["outcome"], base - timedelta(days=outcome["days_ago"]))
    for sc in data.get("scenarios", []):
        store.add_scenario(sc["id"], sc["title"], sc["message"], sc.get("facts", {}), created_by="demo")
    return added
