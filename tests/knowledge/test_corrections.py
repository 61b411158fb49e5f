"""Issue 15 §1: statements about real offices that were wrong or had no source, and
translation pitfalls, must not come back into the Bielefeld entries."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlparse

import pytest

from knowledge.entry import ServiceEntry, Translation
from knowledge.validation import load_entries
from tests.conftest import BIELEFELD


@pytest.fixture(scope="module")
def entries() -> list[ServiceEntry]:
    return load_entries(BIELEFELD.entries, BIELEFELD.district_names)


@pytest.fixture(scope="module")
def by_id(entries) -> dict[str, ServiceEntry]:
    return {entry.id: entry for entry in entries}


def lines(translation: Translation) -> list[str]:
    return [translation.title, translation.summary, *translation.offers, *translation.keywords,
            translation.hours_note or "", translation.appointment_info or "", translation.cost or ""]


def text(translation: Translation) -> str:
    return "\n".join(lines(translation))


def everything(entry: ServiceEntry) -> str:
    """Every word of the entry newcomers or staff could read: texts, contact, target groups."""
    parts = [entry.organisation, *entry.target_groups, entry.contact.phone or "",
             entry.contact.email or "", entry.contact.website or ""]
    parts += [text(translation) for translation in entry.translations.values()]
    return "\n".join(parts)


# --- BAMF ------------------------------------------------------------------------------

def test_no_unsourced_bamf_contact_anywhere(entries):
    for entry in entries:
        assert "943-6390" not in everything(entry), entry.id
        assert "info.buerger@bamf.bund.de" not in everything(entry), entry.id


def test_bamf_entry_gives_the_citizen_service_number_and_its_hours(by_id):
    entry = by_id["bamf-integrationskurs-berechtigung"]
    assert entry.contact.phone == "+49 911 943-0"
    assert "9" in text(entry.translations["de"]) and "11 Uhr" in text(entry.translations["de"])


def test_asylum_seekers_are_not_listed_as_eligible_without_conditions(by_id):
    entry = by_id["bamf-integrationskurs-berechtigung"]
    assert "Asylsuchende" not in entry.target_groups
    german = text(entry.translations["de"])
    assert "Aufenthaltsgestattung" in german and "freie" in german


# --- Anmeldung online --------------------------------------------------------------------

ONLINE_REGISTRATION_CLAIMS = (
    "Anmeldung auch online möglich",
    "registration also possible online",
    "التسجيل ممكن أيضاً عبر الإنترنت",
    "ثبت آدرس به شکل آنلاین هم ممکن است",
    "реєстрація можлива й онлайн",
)


def test_no_unqualified_online_registration_claim(entries):
    for entry in entries:
        for claim in ONLINE_REGISTRATION_CLAIMS:
            assert claim not in everything(entry), entry.id


def test_online_registration_is_only_mentioned_with_its_restriction(entries):
    """Online Anmeldung exists only for people already registered in Germany who move
    within it: any German line about it (other than booking an appointment) says so."""
    for entry in entries:
        for line in lines(entry.translations["de"]):
            if re.search(r"online", line, re.IGNORECASE) and re.search(r"anmeld", line, re.IGNORECASE) \
                    and "Termin" not in line:
                assert "Ausland" in line and "innerhalb Deutschlands" in line, (entry.id, line)


# --- Ausländerbehörde and visas ------------------------------------------------------------

VISA_RESPONSIBILITY = {
    "de": r"[Zz]uständig für[^.]*Visum",
    "en": r"[Rr]esponsible for[^.]*visa",
    "uk": r"[Вв]ідповідає за[^.]*віз",
    "ar": r"مسؤولة عن[^.]*(تأشيرة|التأشيرة)",
    "prs": r"مسئول[^.]*ویزه",
}


def test_auslaenderbehoerde_is_not_said_to_issue_visas(by_id):
    entry = by_id["auslaenderbehoerde"]
    for language, pattern in VISA_RESPONSIBILITY.items():
        assert not re.search(pattern, text(entry.translations[language])), language
    assert "Botschaft" in text(entry.translations["de"])


# --- AK Asyl ------------------------------------------------------------------------------

def test_ak_asyl_promises_advice_on_the_legal_route_not_a_lawsuit(by_id):
    entry = by_id["fluechtlingsberatung-ak-asyl"]
    assert "Klage" not in " ".join(entry.translations["de"].offers)
    assert "Rechtsweg" in text(entry.translations["de"])


# --- VHS ------------------------------------------------------------------------------------

def test_vhs_is_not_presented_as_an_integration_course_provider(entries):
    for entry in entries:
        if "Volkshochschule" not in entry.organisation:
            continue
        assert "integrationskurs" not in entry.id
        german = entry.translations["de"]
        assert "Integrationskurs" not in " ".join([german.title, german.summary, *german.offers, german.cost or ""])


# --- Agentur für Arbeit -----------------------------------------------------------------------

def test_agentur_fuer_arbeit_without_unsourced_phone_and_foreign_source(entries, by_id):
    for entry in entries:
        assert "0800 4 5555 00" not in everything(entry), entry.id
    assert all("herford" not in source.url.lower() for source in by_id["agentur-fuer-arbeit"].sources)


# --- duplicates and misleading ids ---------------------------------------------------------

def street_name(entry: ServiceEntry) -> str:
    street = entry.address.street if entry.address and entry.address.street else ""
    return re.split(r"[\d(]", street)[0].strip().rstrip(",").lower()


def test_no_office_appears_twice(entries):
    """Two entries with the same web page on the same street are one office twice (branches
    of the city's Bürgerberatung share a page but not a street; the city's offices in the
    same town hall each have a page of their own)."""
    seen = defaultdict(list)
    for entry in entries:
        page = urlparse(entry.contact.website or "")
        page_id = page.netloc.removeprefix("www.") + page.path.rstrip("/")
        if page_id and street_name(entry):
            seen[(page_id, street_name(entry))].append(entry.id)
    assert not {key: ids for key, ids in seen.items() if len(ids) > 1}


@pytest.mark.parametrize("marker", ["Begegnungszentrum", "REGE"])
def test_one_entry_per_organisation(entries, marker):
    """The organisation's own name, before any list of partners in brackets (the
    Jugendberufsagentur names REGE as one of its partners)."""
    runs = [entry.id for entry in entries if marker in entry.organisation.split("(")[0]]
    assert len(runs) == 1, (marker, runs)


def test_kommunales_integrationszentrum_is_no_language_course(by_id):
    assert "language_course" not in by_id["kommunales-integrationszentrum"].topics


def test_an_id_saying_integrationskurs_is_an_integration_course(entries):
    for entry in entries:
        if "integrationskurs" in entry.id:
            assert "Integrationskurs" in entry.translations["de"].title, entry.id
    assert not any("uni" in entry.id and "integrationskurs" in entry.id for entry in entries)


# --- translation pitfalls -------------------------------------------------------------------

def translations(entries, *languages):
    for entry in entries:
        for language in languages:
            if language in entry.translations:
                yield entry.id, language, text(entry.translations[language])


def test_vhs_is_never_rendered_as_a_university(entries):
    for entry_id, language, words in translations(entries, "ar", "prs", "uk", "en"):
        assert "الجامعة الشعبية" not in words, (entry_id, language)
        assert "народна вища школа" not in words.lower(), (entry_id, language)
        assert "people's university" not in words.lower(), (entry_id, language)


def test_arbeitslosengeld_i_is_not_a_first_or_type_one_benefit(entries):
    for entry_id, language, words in translations(entries, "ar", "prs"):
        assert "البطالة الأولى" not in words and "نوع اول" not in words and "نوع اوّل" not in words, (entry_id, language)
    for entry in entries:
        if re.search(r"Arbeitslosengeld I\b", text(entry.translations["de"])):
            for language in ("ar", "prs", "uk", "en"):
                assert re.search(r"Arbeitslosengeld I\b", text(entry.translations[language])), (entry.id, language)


def test_klage_keeps_its_german_term_and_is_no_complaint(entries):
    for entry_id, _, words in translations(entries, "prs"):
        assert "شکایت" not in words, entry_id
    for entry in entries:
        german = text(entry.translations["de"])
        if re.search(r"\bKlage\b", german):
            for language in ("ar", "prs", "uk", "en"):
                assert "Klage" in text(entry.translations[language]), (entry.id, language)


def test_thousands_are_unambiguous_in_arabic_and_dari(entries):
    """'60.000' reads as 60 where the dot is a decimal sign."""
    thousands = re.compile(r"[0-9٠-٩۰-۹][.,٫٬][0-9٠-٩۰-۹]{3}(?![0-9٠-٩۰-۹])")
    for entry_id, language, words in translations(entries, "ar", "prs"):
        found = thousands.search(words)
        assert found is None, (entry_id, language, found.group())


def test_no_russianism_zaiava_na_in_ukrainian(entries):
    for entry_id, _, words in translations(entries, "uk"):
        assert not re.search(r"\bзаяв[ауию]\w* на\b", words, re.IGNORECASE), entry_id


def test_vhs_keeps_its_german_name_in_translations(entries):
    for entry in entries:
        if "Volkshochschule" in entry.organisation:
            for language in ("ar", "prs", "uk", "en"):
                assert "Volkshochschule" in text(entry.translations[language]), (entry.id, language)
