"""Territory codes: what ISO 3166 (through pycountry) knows, and what a slug looks like.

pycountry's subdivision table is the slow part (thousands of entries), so it is consulted
only when a code actually has to be checked; pycountry itself is imported on first use, as
a codebook read from the cache (``codebook/cache.py``) needs it only for unusual codes.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from peacetrack.vocabulary import Place

ISO_FORM = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
SLUG_FORM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: User-assigned codes in common use that ISO 3166 does not list (the guideline uses Kosovo).
EXTRA_COUNTRIES = {"XK": "Kosovo"}


#: User-assigned alpha-3 codes in common use (the guideline's id for Kosovo).
EXTRA_STATES = {"XKX": "Kosovo"}


def iso_state_name(code: str) -> str | None:
    """The ISO 3166-1 name of a state by its alpha-3 code (an actor id), or None."""
    if code in EXTRA_STATES:
        return EXTRA_STATES[code]
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        return None
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    return None if country is None else str(getattr(country, "common_name", country.name))


def is_iso_territory(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 country or an ISO 3166-2 subdivision code."""
    if not ISO_FORM.match(code):
        return False
    if "-" not in code:
        import pycountry

        return code in EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None
    return code in _subdivision_codes()


@cache
def _subdivision_codes() -> frozenset[str]:
    import pycountry

    return frozenset(s.code for s in pycountry.subdivisions)


@cache
def country_places() -> tuple[Place, ...]:
    """One place per country, named as ISO names it, with the names reporters can match.

    ISO names such as "Iran, Islamic Republic of" or "Holy See (Vatican City State)" are
    also offered in their short form ("Iran", "Holy See"), unless two countries share it
    ("Congo", "Korea"): an ambiguous name must not silently pick one.
    """
    import pycountry

    full: dict[str, list[str]] = {}
    for country in pycountry.countries:
        given = [getattr(country, a, None) for a in ("name", "common_name", "official_name")]
        full[country.alpha_2] = list(dict.fromkeys(str(n) for n in given if n))
    short = {code: [_short_form(n) for n in names] for code, names in full.items()}
    taken = {name.casefold() for names in full.values() for name in names}
    counts = Counter(s.casefold() for forms in short.values() for s in set(forms) if s)
    places = []
    for code, names in full.items():
        extra = [s for s in short[code] if s and counts[s.casefold()] == 1]
        extra = [s for s in extra if s.casefold() not in taken]
        places.append(Place(code=code, name=names[0], aliases=tuple(dict.fromkeys(names + extra))))
    return tuple(places)


def _short_form(name: str) -> str:
    """ "Iran, Islamic Republic of" -> "Iran"; "Holy See (Vatican City State)" -> "Holy See"."""
    cut = re.split(r",|\(", name, maxsplit=1)[0].strip()
    cut = cut.removeprefix("the ").strip()
    return "" if cut == name else cut
