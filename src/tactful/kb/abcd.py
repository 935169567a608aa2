"""Convert the ABCD corpus' agent guideline manual (``guidelines.json``, MIT) into policy files.

What maps mechanically: each flow/subflow becomes one policy (``abcd.<flow>.<subflow>``, ids from
``ontology.json`` when it sits next to the guidelines), selected by the fact ``abcd_subflow``;
the manual's steps, buttons and instructions become the Markdown body; ``kb.json``'s required
action sequence is listed there too.

What does not map mechanically: the manual states its decision rules in prose ("Silver
members: return possible within the last 6 months <or> ask if they have a receipt"). Those
rules are encoded by hand in :data:`RULES`, one entry per subflow, and each entry names the
phrases of the manual it encodes (``anchors``). The converter checks that every anchor is
still in the subflow's text and leaves the rule out, and says so, when one is not — so a
changed manual cannot silently keep an outdated rule. Subflows without a rule (FAQ lookups,
troubleshooting, status checks) become informational policies with no conditions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tactful.textio import InputError, read_text

MEMBER = "member_level"
ORACLE = "system_error_confirmed"  # the manual's [Ask the Oracle] answer: Yes = the customer is right

_RETURN_RULE: dict[str, Any] = {
    "anchors": [
        "Gold members get unlimited returns",
        "within the last 6 months",
        "within the last 90 days",
        "within the last 30 days",
        "original packaging",
    ],
    "conditions": [
        {
            "any": [
                f"{MEMBER} == gold",
                {
                    "all": [
                        f"{MEMBER} == silver",
                        {"any": ["days_since_purchase <= 180", "has_receipt", "original_packaging"]},
                    ]
                },
                {
                    "all": [
                        f"{MEMBER} == bronze",
                        {"any": ["days_since_purchase <= 90", "has_receipt", "original_packaging"]},
                    ]
                },
                {"all": [f"{MEMBER} == guest", {"any": ["days_since_purchase <= 30", "has_receipt"]}]},
            ]
        }
    ],
    "reason": (
        "Returns depend on the membership level: Gold members have unlimited returns; Silver members "
        "can return within 6 months of purchase, Bronze within 90 days and Guests within 30 days, or "
        "at any time with a receipt (Silver and Bronze also in the original packaging)."
    ),
}

# Hand-encoded decision rules, keyed by ontology subflow id. Facts: member_level (gold, silver,
# bronze, guest), system_error_confirmed ([Ask the Oracle] says Yes), shipping_status
# (order_received, in_transit, out_for_delivery, delivered) and the ones named below.
RULES: dict[str, dict[str, Any]] = {
    "return_stain": _RETURN_RULE,
    "return_color": _RETURN_RULE,
    "return_size": _RETURN_RULE,
    "status_mystery_fee": {
        "anchors": ["We trust our gold and silver members", "the extra fee stays"],
        "conditions": [{"any": [ORACLE, f"{MEMBER} in [gold, silver]"]}],
        "reason": "When the extra fee was not our error, it stays for Guest and Bronze members.",
    },
    "manage_upgrade": {
        "anchors": ["then it is too late", "Gold members have their fee waived"],
        "conditions": ["shipping_status == order_received"],
        "reason": (
            "The item has already shipped, so its shipping date can no longer change; it will likely "
            "arrive today or tomorrow anyway."
        ),
    },
    "manage_downgrade": {
        "anchors": ["add a credit back to their account", "there is nothing you can do"],
        "conditions": ["shipping_status == order_received"],
        "reason": "The item has already shipped, so its delivery date can no longer change.",
        "alternatives": [
            {
                "id": "shipping-fee-credit",
                "text": "A credit for the shipping fee, added back to your account.",
                "order": 1,
                "conditions": [f"{MEMBER} in [gold, silver, bronze]"],
            }
        ],
    },
    "manage_cancel": {
        "anchors": ["Guest customer, then they must wait until the item arrives"],
        "conditions": [{"any": ["shipping_status == order_received", f"{MEMBER} in [bronze, silver, gold]"]}],
        "reason": "Once an order has shipped, Guest customers return the extra item after it arrives.",
        "alternatives": [
            {
                "id": "return-after-arrival",
                "text": "When the item arrives, contact us again and we will send a return label.",
                "order": 1,
                "conditions": [f"{MEMBER} == guest"],
            }
        ],
    },
    "bad_price_competitor": {
        "anchors": ["pricing algorithms", "offer them a discount using [Promo Code]"],
        "conditions": ["never"],
        "reason": "Prices change over time (pricing algorithms adjust them); an agent cannot control that.",
        "alternatives": [
            {"id": "promo-code", "text": "A promo code for a discount on your next purchase.", "order": 1}
        ],
    },
    "promo_code_invalid": {
        "anchors": ["Gold, Silver and Bronze all qualify", "promotions only last 7 days"],
        "conditions": [{"any": [ORACLE, f"{MEMBER} in [gold, silver, bronze]"]}],
        "reason": "Promotions only last 7 days, and a replacement code is a privilege of our members.",
    },
    "mistimed_billing_already_returned": {
        "anchors": ["more than 7 days", "This only works for Gold members"],
        "conditions": [{"any": ["days_waiting > 7", f"{MEMBER} == gold"]}],
        "reason": "A returned item's credit can take up to 7 days to show up on the bill.",
    },
    "mistimed_billing_never_bought": {
        "anchors": ["This only works for Gold members"],
        "conditions": [{"any": [ORACLE, f"{MEMBER} == gold"]}],
        "reason": "Our system shows the charge as correct, and we only credit it anyway for Gold members.",
    },
    "manage_extension": {
        "anchors": ["Gold members can always get an extension", "only 1 day late", "cannot get an extension"],
        "conditions": [{"any": [f"{MEMBER} == gold", {"all": [f"{MEMBER} == silver", "days_late <= 1"]}]}],
        "reason": "Subscription payment extensions are a Gold privilege (Silver: when only one day late).",
        "alternatives": [
            {
                "id": "manager-callback",
                "text": "A manager reviews your case and calls you back on your phone number.",
                "order": 1,
            }
        ],
    },
    "manage_dispute_bill": {
        "anchors": ["Gold members can always get what they want", "less than $10", "Oracle says No"],
        "conditions": [
            {
                "any": [
                    f"{MEMBER} == gold",
                    {"all": [f"{MEMBER} == silver", "disputed_amount < 10"]},
                    {"all": [f"{MEMBER} in [bronze, guest]", ORACLE]},
                ]
            }
        ],
        "reason": "Our system shows the subscription bill as correct.",
    },
    "cost": {
        "anchors": ["offer to waive the fee", "Standard shipping is $8.00"],
        "conditions": ["shipping_status in [order_received, in_transit]"],
        "reason": "The order is already out for delivery, so its shipping fee can no longer be waived.",
        "alternatives": [
            {
                "id": "shipping-refund",
                "text": "A refund of $8, the standard shipping fee.",
                "order": 1,
                "conditions": ["shipping_status in [out_for_delivery, delivered]"],
            }
        ],
    },
    "status_credit_missing": {
        "anchors": ["Oracle returns No", "log out and log back in"],
        "conditions": [ORACLE],
        "reason": "The credit shows on our side; the account page has not caught up yet.",
        "alternatives": [
            {"id": "log-out-in", "text": "Log out and back in, and the credit will show.", "order": 1}
        ],
    },
    "missing": {
        "anchors": ["less than a week", "ship a new order"],
        "conditions": ["days_waiting >= 7"],
        "reason": "Packages are sometimes marked delivered early and still take a couple of days to arrive.",
    },
    "status_service_added": {
        "anchors": ["Oracle says Yes", "scam email"],
        "conditions": [ORACLE],
        "reason": "Our records show no service was added and there are no extra charges.",
    },
    "status_service_removed": {
        "anchors": ["Oracle says Yes", "scam email"],
        "conditions": [ORACLE],
        "reason": "Our records show no service was removed from your plan.",
    },
}
RULES["bad_price_yesterday"] = RULES["bad_price_competitor"]
RULES["promo_code_out_of_date"] = RULES["promo_code_invalid"]

REQUEST_TYPES: dict[str, list[str]] = {
    "refund_initiate": ["refund"],
    "refund_update": ["refund"],
    "refund_status": ["other"],
    "return_stain": ["return"],
    "return_color": ["return"],
    "return_size": ["return"],
    "status_mystery_fee": ["refund"],
    "manage_upgrade": ["deadline"],
    "manage_downgrade": ["deadline"],
    "manage_cancel": ["cancellation", "refund"],
    "status_quantity": ["refund"],
    "bad_price_competitor": ["discount"],
    "bad_price_yesterday": ["discount"],
    "promo_code_invalid": ["discount"],
    "promo_code_out_of_date": ["discount"],
    "out_of_stock_general": ["discount"],
    "mistimed_billing_already_returned": ["refund"],
    "mistimed_billing_never_bought": ["refund"],
    "manage_extension": ["deadline", "policy_exception"],
    "manage_dispute_bill": ["refund"],
    "cost": ["refund"],
    "manage": ["exchange", "account_change"],
    "missing": ["other"],
    "status_credit_missing": ["refund"],
    "status_service_added": ["refund"],
    "status_service_removed": ["account_change"],
    "manage_change_address": ["account_change"],
    "manage_change_name": ["account_change"],
    "manage_change_phone": ["account_change"],
    "manage_payment_method": ["account_change"],
    "recover_username": ["account_change"],
    "recover_password": ["account_change"],
    "reset_2fa": ["account_change"],
}


@dataclass
class ConversionReport:
    written: list[Path] = field(default_factory=list)
    encoded: list[str] = field(default_factory=list)  # subflows whose decision rule was encoded
    informational: list[str] = field(default_factory=list)  # subflows without a decision rule
    stale: list[str] = field(default_factory=list)  # a rule whose anchors are no longer in the manual


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _load_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno})") from None


def _subflow_ids(flow: str, names: list[str], ontology: dict[str, Any] | None) -> list[str]:
    """Ontology ids for one flow's subflows, paired by position and checked by a shared word."""
    listed = (ontology or {}).get("intents", {}).get("subflows", {}).get(_slug(flow))
    if not listed or len(listed) != len(names):
        return [_slug(n) for n in names]
    ids = []
    for name, oid in zip(names, listed, strict=True):
        words = set(_slug(name).split("_"))
        ids.append(oid if words & set(oid.split("_")) else _slug(name))
    return ids


def _text_of(sub: dict[str, Any]) -> str:
    parts = list(sub.get("instructions", []))
    for action in sub.get("actions", []):
        parts.append(str(action.get("text", "")))
        parts.extend(str(s) for s in action.get("subtext", []))
    return "\n".join(parts)


def _body(
    flow: str, desc: str, name: str, sub: dict[str, Any], required: list[str] | None, encoded: bool
) -> str:
    lines = [f"# {flow} › {name}", "", f"*{flow}*: {desc}.", ""]
    instructions = [str(i) for i in sub.get("instructions", [])]
    if instructions:
        lines += [instructions[0], ""]
    lines += ["## Steps (from the ABCD agent guidelines)", ""]
    for i, action in enumerate(sub.get("actions", []), 1):
        button = action.get("button", "N/A")
        label = (
            f"**[{button}]** ({action.get('type', '')})" if button != "N/A" else f"({action.get('type', '')})"
        )
        lines.append(f"{i}. {label} {action.get('text', '').strip()}")
        for s in action.get("subtext", []):
            for j, piece in enumerate(str(s).split(" > ")):
                lines.append(("   - " if j == 0 else "     - ") + piece.strip())
    if len(instructions) > 1:
        lines += ["", *instructions[1:]]
    if required:
        lines += ["", "Required button sequence (kb.json): " + " → ".join(f"`{a}`" for a in required)]
    lines += [
        "",
        "---",
        "Converted by `tactful kb import-abcd` from the ABCD corpus (Chen et al., NAACL 2021, MIT). "
        + (
            "The decision rule in the front matter was encoded by hand from the steps above."
            if encoded
            else "The manual gives no yes/no rule here, so this policy has no conditions."
        ),
    ]
    return "\n".join(lines) + "\n"


def convert(
    guidelines: str | Path,
    out_dir: str | Path,
    kb_json: str | Path | None = None,
    ontology_json: str | Path | None = None,
) -> ConversionReport:
    """Write one policy file per ABCD subflow into ``out_dir``; ``kb.json``/``ontology.json``
    default to the files next to ``guidelines`` when they exist."""
    src = Path(guidelines)
    data = _load_json(src)
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "subflows" in v for v in data.values()):
        raise InputError(f"{src}: not an ABCD guidelines file (expected flows holding 'subflows')")
    kb_path = Path(kb_json) if kb_json else src.with_name("kb.json")
    onto_path = Path(ontology_json) if ontology_json else src.with_name("ontology.json")
    required: dict[str, list[str]] = _load_json(kb_path) if kb_path.is_file() else {}
    ontology = _load_json(onto_path) if onto_path.is_file() else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = ConversionReport()
    for flow, spec in data.items():
        subflows: dict[str, Any] = spec["subflows"]
        ids = _subflow_ids(flow, list(subflows), ontology)
        for (name, sub), sid in zip(subflows.items(), ids, strict=True):
            rule = RULES.get(sid)
            text = _text_of(sub)
            if rule is not None and not all(a in text for a in rule["anchors"]):
                report.stale.append(sid)
                rule = None
            instructions = [str(i) for i in sub.get("instructions", [])]
            front: dict[str, Any] = {
                "id": f"abcd.{_slug(flow)}.{sid}",
                "title": f"{flow}: {name}",
                "request_types": REQUEST_TYPES.get(sid, ["other"]),
                "applies_when": [f"abcd_subflow == {sid}"],
            }
            if rule is not None:
                report.encoded.append(sid)
                front["conditions"] = rule["conditions"]
                front["reason"] = rule["reason"]
                if rule.get("alternatives"):
                    front["alternatives"] = rule["alternatives"]
            else:
                report.informational.append(sid)
                first = instructions[0] if instructions else str(spec.get("description", name))
                front["reason"] = re.split(r"(?<=[.!?])\s", first.strip(), maxsplit=1)[0]
            front["source"] = f"ABCD guidelines.json: {flow} > {name}"
            body = _body(flow, spec.get("description", ""), name, sub, required.get(sid), rule is not None)
            dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
            path = out / f"{_slug(flow)}.{sid}.md"
            path.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")
            report.written.append(path)
    return report


def scenario_facts(scenario: dict[str, Any]) -> dict[str, Any]:
    """The facts an ABCD conversation's ``scenario`` gives ``decide`` (no date: ABCD records none)."""
    personal = scenario.get("personal", {})
    order = scenario.get("order", {})
    facts: dict[str, Any] = {"abcd_subflow": re.sub(r"_\d+$", "", str(scenario.get("subflow", "")))}
    if personal.get("member_level"):
        facts[MEMBER] = personal["member_level"]
    if order.get("purchase_date"):
        facts["purchase_date"] = order["purchase_date"]
    if order.get("packaging") in ("yes", "no"):
        facts["original_packaging"] = order["packaging"] == "yes"
    amounts = scenario.get("product", {}).get("amounts") or []
    if amounts:
        facts["amount"] = sum(amounts)
    return facts
