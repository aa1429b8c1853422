"""The example portal's own texts. A real site would use its own catalogs."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("nb", "sv")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nb": {
        "site_name": "Eksempel Inkasso",
        "home": "Forside",
        "login": "Logg inn",
        "logout": "Logg ut",
        "my_case": "Min sak",
        "privacy": "Personvern og informasjonskapsler",
        "welcome": "Har du fått et inkassovarsel fra oss?",
        "intro": "Logg inn med saksnummeret og PIN-koden fra brevet for å se saken, betale "
        "eller be om en nedbetalingsplan.",
        "video_title": "Slik betaler du en faktura",
        "video_elsewhere": "Du kan også se filmen på YouTube.",
        "case_number": "Saksnummer",
        "pin": "PIN-kode",
        "wrong_login": "Saksnummeret eller PIN-koden er feil.",
        "demo_hint": "Demo: saksnummer 12345678, PIN-kode 1234.",
        "case_heading": "Sak %(case)s",
        "amount_due": "Å betale: 2 450,00 kr innen 15. desember 2026.",
        "other_language": "På svenska",
    },
    "sv": {
        "site_name": "Exempel Inkasso",
        "home": "Startsida",
        "login": "Logga in",
        "logout": "Logga ut",
        "my_case": "Mitt ärende",
        "privacy": "Dataskydd och kakor",
        "welcome": "Har du fått ett inkassokrav från oss?",
        "intro": "Logga in med ärendenumret och PIN-koden från brevet för att se ärendet, betala "
        "eller begära en avbetalningsplan.",
        "video_title": "Så betalar du en faktura",
        "video_elsewhere": "Du kan också se filmen på YouTube.",
        "case_number": "Ärendenummer",
        "pin": "PIN-kod",
        "wrong_login": "Ärendenumret eller PIN-koden är fel.",
        "demo_hint": "Demo: ärendenummer 12345678, PIN-kod 1234.",
        "case_heading": "Ärende %(case)s",
        "amount_due": "Att betala: 2 450,00 kr senast den 15 december 2026.",
        "other_language": "På norsk",
    },
}
