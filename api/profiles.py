"""Content negotiation by profile (W3C, https://www.w3.org/TR/dx-prof-conneg/): which profile of a
specification a representation conforms to, negotiated like its media type.

A client asks with the `Accept-Profile` header, profile IRIs in angle brackets with optional q-values
(`Accept-Profile: <https://example.org/p>;q=0.9, <...>`, section 7.1.2), or with the `_profile` query
string argument, a token or an IRI (the QSA functional profile, section 7.2), which takes precedence over
the header (section 6.4). The response names the profile in `Content-Profile` and lists every profile and
format it is available in, and the token of each profile, in `Link` headers (sections 7.1.1 and 7.1.1.2);
`?_profile=all` is the list profiles request of the QSA functional profile.

What the server answers when no offered profile is requested is the note's abstract model (section 6.3):
"a server responds with either a specific profile for a resource conforming to a requested profile
identified by the client or it responds with a default profile". So an unknown profile gets the default,
named in Content-Profile, and only a request that refuses every offered profile (q=0, or `*;q=0`) is
answered 406, as RFC 9110 section 15.5.7 allows.

Everything here is a pure function of its arguments, like api/negotiation.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from api.errors import NotAcceptable
from api.negotiation import Format

QSA_PROFILE = "http://www.w3.org/ns/dx/conneg/profile/qsa"
PROFILE_CLASS = "http://www.w3.org/ns/dx/prof/Profile"
LIST_PROFILES = "all"  # the reserved `_profile` token of the QSA functional profile (section 7.2.2)


@dataclass(frozen=True)
class Profile:
    """A profile a representation can conform to: its IRI, the token naming it in URLs, a title."""

    token: str
    iri: str
    title: str

    def header(self) -> str:
        return f"<{self.iri}>"


# One element of Accept-Profile: an IRI in angle brackets (which may hold commas and semicolons), a
# token, or `*`; then parameters up to the next comma.
_ELEMENT = re.compile(r"\s*(?:<(?P<iri>[^>]*)>|(?P<token>[^\s,;<>]+))\s*(?P<parameters>(?:;[^,]*)?)(?:,|$)")


def parse_accept_profile(header: str) -> list[tuple[str, float]]:
    """The profiles (IRI, token or `*`) of an Accept-Profile header with their q-values, in order;
    elements that cannot be read and q-values that are not numbers from 0 to 1 are skipped."""
    elements = []
    position = 0
    while position < len(header) and (match := _ELEMENT.match(header, position)):
        if match.end() == position:
            break
        position = match.end()
        name = match["iri"] if match["iri"] is not None else match["token"]
        q: float | None = 1.0
        for parameter in match["parameters"].split(";")[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = None
                if q is not None and not 0.0 <= q <= 1.0:
                    q = None
        if q is not None:
            elements.append((name, q))
    return elements


def _named(profile: Profile, name: str) -> bool:
    return name in (profile.iri, profile.token)


def choose(offers: Sequence[Profile], *, accept_profile: str | None, query: str | None) -> Profile:
    """The profile to answer with, the first of `offers` being the default.

    `query` (the `_profile` argument: a token or an IRI, with or without angle brackets) beats the
    header. An offered profile the client names gets the weight it gives; one it does not name gets the
    weight of `*`, if it sent one; the highest weight above zero wins, ties going to the offers' order.
    With none above zero, the first offer the client did not refuse (q=0) is the answer, the abstract
    model's default; raises NotAcceptable (406) only if the client refused every offer.
    """
    if query is not None and query.strip():
        header = f"<{query.strip().removeprefix('<').removesuffix('>')}>"
    elif accept_profile is not None and accept_profile.strip():
        header = accept_profile
    else:
        return offers[0]
    elements = parse_accept_profile(header)
    wildcard = next((q for name, q in elements if name == "*"), None)
    weights: list[float | None] = []
    for offer in offers:
        named = [q for name, q in elements if _named(offer, name)]
        weights.append(max(named) if named else wildcard)
    best = max(range(len(offers)), key=lambda index: (weights[index] or 0.0, -index))
    if (weights[best] or 0.0) > 0.0:
        return offers[best]
    for offer, weight in zip(offers, weights, strict=True):
        if weight is None:
            return offer
    listed = ", ".join(offer.header() for offer in offers)
    raise NotAcceptable(
        f"Every profile offered is refused by Accept-Profile: {header}; available: {listed}",
        headers={"Vary": "Accept, Accept-Profile"},
    )


def url_for(path: str, format_: Format, profile: Profile, default: Profile) -> str:
    """The URL answering with `format_` in `profile` whatever the request headers: the format's suffix,
    and `_profile` unless it is the default."""
    query = "" if profile == default else f"?_profile={profile.token}"
    return f"{path}.{format_.suffix}{query}"


def link_header(
    base: str,
    path: str,
    offers: Sequence[Profile],
    formats: Sequence[Format],
    chosen: tuple[Profile, Format] | None,
) -> str:
    """The Link header listing every profile and format the resource at `path` has (`rel="self"` for the
    one returned, `rel="alternate"` for the others, each with its direct URL) and the token of each
    profile (`rel="type"` links to prof:Profile anchored at the profile IRI)."""
    links = [
        f'<{PROFILE_CLASS}>; rel="type"; token="{offer.token}"; anchor=<{offer.iri}>' for offer in offers
    ]
    for offer in offers:
        for format_ in formats:
            relation = "self" if (offer, format_) == chosen else "alternate"
            links.append(
                f'<{base}{url_for(path, format_, offer, offers[0]).lstrip("/")}>; rel="{relation}"; '
                f'type="{format_.media_type}"; profile="{offer.iri}"'
            )
    return ", ".join(links)


def listing(base: str, path: str, offers: Sequence[Profile], formats: Sequence[Format]) -> dict[str, object]:
    """The body of a list profiles request (`?_profile=all`), as the note's example in section 7.2.2."""
    return {
        "resource": f"{base}{path.lstrip('/')}",
        "profiles": [
            {
                "token": offer.token,
                "uri": offer.iri,
                "title": offer.title,
                "default": offer == offers[0],
                "media_types": [format_.media_type for format_ in formats],
                "urls": {
                    format_.media_type: f"{base}{url_for(path, format_, offer, offers[0]).lstrip('/')}"
                    for format_ in formats
                },
            }
            for offer in offers
        ],
    }
