"""Each helpdesk's channel codes mapped onto the channels tactful.toml knows (email, chat, social).

One table per vendor, read by both the webhooks (:mod:`tactful.web.api.webhooks`) and the export
readers (:mod:`tactful.qa.formats`), so a conversation gets the same channel, and so the same reply-time
SLA, whichever way it arrives. A code a table does not list gets that vendor's default. tactful's own
formats (``--from jsonl``/``csv``) may hold any tool's names: :func:`generic_channel` reads them, a
Chatwoot inbox code (``Channel::Api``) by the Chatwoot table.
"""

from __future__ import annotations

from typing import Any

#: Zendesk ``via.channel`` (Via object reference). Messaging and chat are live; social posts are public.
ZENDESK: dict[str, str] = {
    "email": "email",
    "web": "email",
    "api": "email",
    "mobile": "email",
    "helpcenter": "email",
    "voice": "email",
    "sample_ticket": "email",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "mobile_sdk": "chat",
    "sms": "chat",
    "whatsapp": "chat",
    "line": "chat",
    "wechat": "chat",
    "telegram": "chat",
    "viber": "chat",
    "messenger": "chat",
    "twitter": "social",
    "twitter_dm": "social",
    "facebook": "social",
    "facebook_post": "social",
    "instagram_dm": "social",
}

#: Freshdesk ticket ``source``: 1 email, 2 portal, 3 phone, 4 forum, 5 Twitter, 6 Facebook, 7 chat,
#: 8 MobiHelp, 9 feedback widget, 10 outbound email, 11 e-commerce, 12 bot, 13 WhatsApp, 15 web chat.
FRESHDESK: dict[int, str] = {
    1: "email",
    2: "email",
    3: "email",
    4: "social",
    5: "social",
    6: "social",
    7: "chat",
    8: "chat",
    9: "email",
    10: "email",
    11: "email",
    12: "chat",
    13: "chat",
    15: "chat",
}

#: Help Scout conversation ``type`` (and thread ``source.type``).
HELPSCOUT: dict[str, str] = {
    "email": "email",
    "emailfwd": "email",
    "web": "email",
    "api": "email",
    "phone": "email",
    "chat": "chat",
    "beacon": "chat",
    "beaconchat": "chat",
    "messaging": "chat",
}

#: Intercom conversation ``source.type`` (``conversation`` is the Messenger).
INTERCOM: dict[str, str] = {
    "conversation": "chat",
    "push": "chat",
    "chat": "chat",
    "sms": "chat",
    "whatsapp": "chat",
    "phone_call": "chat",
    "email": "email",
    "facebook": "social",
    "twitter": "social",
    "instagram": "social",
}

#: Chatwoot inbox ``channel`` (the conversation's ``channel`` or ``meta.channel``).
CHATWOOT: dict[str, str] = {
    "Channel::Email": "email",
    "Channel::WebWidget": "chat",
    "Channel::Api": "chat",
    "Channel::Whatsapp": "chat",
    "Channel::Telegram": "chat",
    "Channel::Line": "chat",
    "Channel::Sms": "chat",
    "Channel::TwilioSms": "chat",
    "Channel::TwitterProfile": "social",
    "Channel::FacebookPage": "social",
    "Channel::Instagram": "social",
}

TABLES: dict[str, tuple[dict[Any, str], str]] = {
    "zendesk": (ZENDESK, "email"),
    "freshdesk": (FRESHDESK, "email"),
    "helpscout": (HELPSCOUT, "email"),
    "intercom": (INTERCOM, "chat"),
    "chatwoot": (CHATWOOT, "chat"),
}


def vendor_channel(vendor: str, code: Any) -> str:
    """The tactful channel of ``vendor``'s channel ``code`` (its default for a code not listed)."""
    table, default = TABLES[vendor]
    if isinstance(code, str):
        code = code.strip()
        if vendor in ("zendesk", "helpscout", "intercom"):
            code = code.lower()
    elif isinstance(code, bool) or not isinstance(code, int):
        return default
    return table.get(code, default)


#: Channel names in tactful's own formats, from any tool; a name that starts with one of these keys
#: (``twitter_profile``, ``facebook_page``, ``whatsapp_business``) maps as that key does.
GENERIC: dict[str, str] = {
    "email": "email",
    "mail": "email",
    "web": "email",
    "portal": "email",
    "api": "email",
    "phone": "email",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "sms": "chat",
    "whatsapp": "chat",
    "webwidget": "chat",
    "web_widget": "chat",
    "api_channel": "chat",
    "telegram": "chat",
    "line": "chat",
    "twitter": "social",
    "facebook": "social",
    "instagram": "social",
    "social": "social",
    "tweet": "social",
}


def generic_channel(value: Any, default: str = "email") -> str:
    """The tactful channel of a channel name in tactful's own formats; a Chatwoot inbox code
    (``Channel::...``) gets what the Chatwoot webhook gives it, others are read by :data:`GENERIC`."""
    if not isinstance(value, str) or not value:
        return default
    if value.strip().startswith("Channel::"):
        return vendor_channel("chatwoot", value)
    key = value.lower().rsplit("::", 1)[-1].replace(" ", "_").strip("_")
    if key in GENERIC:
        return GENERIC[key]
    for name, mapped in GENERIC.items():
        if key.startswith(name):
            return mapped
    return default
