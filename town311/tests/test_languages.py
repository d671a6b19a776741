"""English and Spanish: the catalogue is whole, pages follow the reader's
language, and e-mails to followers are in the site's own language."""

import ast
import contextlib
import gettext
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation

from town311.front.tests.base import FrontTestCase
from town311.lib.errors import InvalidInput, OutsideServiceArea
from town311.notifications.models import Message
from town311.residents.session import SESSION_KEY
from town311.servicerequests import services
from town311.test import CENTRE, RESIDENT_EMAIL

LOCALE = Path(settings.BASE_DIR) / "town311" / "locale"
SPANISH_PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
SPANISH_MO = LOCALE / "es" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|\{\{ *\w+ *\}\}")
TAG = re.compile(r"</?[a-z]+")


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file, header first: just enough of the format
    for these checks (polib is not a dependency)."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue

        if entry is None:
            entry = {"flags": set(), "obsolete": False, "msgctxt": None}
            entry.update(msgid=None, msgid_plural=None, msgstr={})

        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, field, ast.literal_eval(line))
        else:
            keyword, _, value = line.partition(" ")
            field = keyword
            entry_key = "msgstr" if keyword.startswith("msgstr") else keyword
            if entry_key == "msgstr":
                entry["msgstr"][keyword] = ""
            else:
                entry[entry_key] = ""
            _append(entry, field, ast.literal_eval(value))

    return entries


def _append(entry: dict, field: str, text: str) -> None:
    if field.startswith("msgstr"):
        entry["msgstr"][field] += text
    else:
        entry[field] += text


def problems_in(entries: list[dict]) -> list[str]:
    """What a translator still has to do in a catalogue."""
    problems = []
    for entry in entries[1:]:
        name = repr(entry["msgid"])
        if entry["obsolete"]:
            problems.append(f"obsolete: {name}")
        elif "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {name}")
        elif not all(entry["msgstr"].values()):
            problems.append(f"untranslated: {name}")

    return problems


class CatalogueTests(SimpleTestCase):
    def setUp(self) -> None:
        self.entries = po_entries(SPANISH_PO)

    def test_it_translates_every_entry(self):
        self.assertGreater(len(self.entries), 400)
        self.assertEqual(problems_in(self.entries), [])
        self.assertNotIn("fuzzy", self.entries[0]["flags"])

    def test_it_keeps_placeholders_and_markup(self):
        for entry in self.entries[1:]:
            for key, translated in entry["msgstr"].items():
                original = entry["msgid"]
                if key not in ("msgstr", "msgstr[0]"):
                    original = entry["msgid_plural"]
                with self.subTest(msgid=original, form=key):
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(translated)),
                        sorted(PLACEHOLDER.findall(original)),
                    )
                    self.assertEqual(
                        sorted(TAG.findall(translated)), sorted(TAG.findall(original))
                    )

    def test_it_has_three_spanish_plural_forms(self):
        # Django's own Spanish catalogue counts three (one, many, other);
        # ours must agree, or the plurals of both would clash.
        self.assertIn("nplurals=3;", self.entries[0]["msgstr"]["msgstr"])
        for entry in self.entries[1:]:
            if entry["msgid_plural"] is not None:
                with self.subTest(msgid=entry["msgid"]):
                    self.assertEqual(len(entry["msgstr"]), 3)

    def test_it_commits_the_compiled_catalogue_up_to_date(self):
        # A fresh checkout has no gettext to compile it; the .mo must say
        # what the .po says.
        with SPANISH_MO.open("rb") as mo:
            catalogue = gettext.GNUTranslations(mo)

        for entry in self.entries[1:]:
            msgid, context, translated = entry["msgid"], entry["msgctxt"], {}
            with self.subTest(msgid=msgid):
                if entry["msgid_plural"] is None:
                    translated["msgstr"] = (
                        catalogue.pgettext(context, msgid)
                        if context
                        else catalogue.gettext(msgid)
                    )
                else:
                    # One of each Spanish plural form: one, many, other.
                    for form, n in enumerate((1, 1_000_000, 2)):
                        translated[f"msgstr[{form}]"] = catalogue.ngettext(
                            msgid, entry["msgid_plural"], n
                        )

                self.assertEqual(translated, entry["msgstr"])

    def test_makemessages_finds_nothing_new(self):
        if not shutil.which("xgettext") or not shutil.which("msgmerge"):
            self.skipTest("needs GNU gettext (xgettext, msgmerge)")

        # A copy of the sources, so the real catalogue is left alone.
        root = Path(tempfile.mkdtemp(prefix="town311-messages-"))
        self.addCleanup(shutil.rmtree, root)
        base = Path(settings.BASE_DIR)
        skip = shutil.ignore_patterns("__pycache__", "*.mo")
        shutil.copytree(base / "town311", root / "town311", ignore=skip)
        shutil.copytree(base / "templates", root / "templates", ignore=skip)
        copied_po = root / "town311" / "locale" / "es" / "LC_MESSAGES" / "django.po"

        with (
            override_settings(LOCALE_PATHS=[root / "town311" / "locale"]),
            contextlib.chdir(root),
        ):
            call_command("makemessages", locale=["es"], verbosity=0)

        entries = po_entries(copied_po)
        self.assertEqual(problems_in(entries), [])
        self.assertEqual(_msgids(entries), _msgids(self.entries))


def _msgids(entries: list[dict]) -> set:
    return {(e["msgctxt"], e["msgid"]) for e in entries[1:] if not e["obsolete"]}


ES = {"headers": {"accept-language": "es"}}
EN = {"headers": {"accept-language": "en-US,en;q=0.9"}}


class PageLanguageTests(FrontTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.submit()
        services.request_acknowledge(self.request, by=self.roads_clerk)

    def pages(self) -> dict[str, tuple[str, list[str], list[str]]]:
        """Each page, with strings it shows in Spanish and in English."""
        pk = self.request.pk
        return {
            "home": (
                "/",
                ["Reportar un problema", "Tiempo mediano para confirmar"],
                ["Report a problem", "Median time to acknowledge"],
            ),
            "service list": (
                reverse("report:service"),
                ["Elija el tipo de problema.", "Buscar un problema"],
                ["Pick the kind of problem.", "Search for a problem"],
            ),
            "report form": (
                reverse("report:form", args=["pothole"]),
                ["¿Dónde está?", "Usar mi ubicación", "Enviar reporte"],
                ["Where is it?", "Use my location", "Send report"],
            ),
            "request": (
                reverse("front:request", args=[pk]),
                [f"Solicitud {pk}", "Confirmada", "Roads confirmó la solicitud"],
                [f"Request {pk}", "Acknowledged", "Roads acknowledged the request"],
            ),
            "browse": (
                reverse("front:browse"),
                ["Ver solicitudes", "Cualquier estado", "1 solicitud"],
                ["Browse requests", "Any status", "1 request"],
            ),
            "sign-in": (
                reverse("residents:sign-in"),
                ["Entre para ver sus solicitudes", "Envíenme un enlace"],
                ["Sign in to see your requests", "E-mail me a link"],
            ),
            "alerts": (
                reverse("alerts:subscribe"),
                ["Alertas para su zona", "Alrededor de un lugar"],
                ["Alerts for your area", "Around a place"],
            ),
        }

    def test_it_serves_spanish_to_a_spanish_browser(self):
        for name, (path, spanish, english) in self.pages().items():
            with self.subTest(page=name):
                response = self.client.get(path, **ES)

                self.assertContains(response, '<html lang="es">')
                self.assertContains(response, "Ir al contenido")
                for text in spanish:
                    self.assertContains(response, text)
                for text in english:
                    self.assertNotContains(response, text)

    def test_it_serves_english_to_an_english_browser(self):
        for name, (path, spanish, english) in self.pages().items():
            with self.subTest(page=name):
                response = self.client.get(path, **EN)

                self.assertContains(response, '<html lang="en">')
                self.assertContains(response, "Skip to content")
                for text in english:
                    self.assertContains(response, text)
                for text in spanish:
                    self.assertNotContains(response, text)

    def test_it_serves_english_to_a_browser_asking_for_another_language(self):
        response = self.client.get("/", headers={"accept-language": "fr"})

        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Report a problem")

    def test_it_shows_my_requests_in_spanish(self):
        session = self.client.session
        session[SESSION_KEY] = RESIDENT_EMAIL
        session.save()

        response = self.client.get(reverse("residents:my-requests"), **ES)

        self.assertContains(response, "Mis solicitudes")
        self.assertContains(response, "Usted reportó esto.")
        self.assertContains(response, "Salir")

    def test_it_names_each_language_in_itself(self):
        response = self.client.get("/", **ES)

        self.assertContains(response, '<option value="en" lang="en">English</option>')
        self.assertContains(
            response, '<option value="es" lang="es" selected>Español</option>'
        )

    def test_the_switch_changes_the_language_and_returns_to_the_page(self):
        page = reverse("front:browse") + "?q=hole"
        response = self.client.get(page, **EN)
        self.assertContains(
            response, '<input name="next" type="hidden" value="/requests/?q=hole">'
        )

        response = self.client.post(
            reverse("set_language"), {"language": "es", "next": page}, **EN
        )

        self.assertRedirects(response, page, fetch_redirect_response=False)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "es")
        # The choice outlasts what the browser asks for.
        response = self.client.get(page, **EN)
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, "Ver solicitudes")

        self.client.post(
            reverse("set_language"), {"language": "en", "next": page}, **ES
        )
        response = self.client.get(page, **ES)
        self.assertContains(response, '<html lang="en">')

    def test_the_report_form_explains_problems_in_spanish(self):
        url = reverse("report:form", args=["pothole"])
        outside = {"lat": "41.0", "long": "-90.0", "description": "Hoyo"}

        response = self.client.post(url, outside, **ES)

        self.assertContains(
            response, "Este lugar queda fuera del área de servicio de Testville"
        )
        response = self.client.post(url, {"reporter_email": "no"}, **ES)
        self.assertContains(response, "Díganos dónde está el problema")
        self.assertContains(response, "nombre@example.org")


class SubmissionLanguageTests(FrontTestCase):
    def test_it_refuses_a_bad_submission_in_the_readers_language(self):
        with translation.override("es"), self.assertRaises(InvalidInput) as caught:
            services.request_submit(
                service=self.pothole,
                lat="norte",
                long=CENTRE[1],
            )

        self.assertEqual(
            caught.exception.errors,
            {"lat": "La latitud debe ser un número entre -90 y 90."},
        )

        with translation.override("es"), self.assertRaises(InvalidInput) as caught:
            services.request_submit(
                service=self.pothole, lat=CENTRE[0], long=CENTRE[1], address="x" * 301
            )

        self.assertEqual(
            caught.exception.errors,
            {"address": "Escriba una dirección de 300 caracteres como máximo."},
        )

    def test_it_names_the_agency_in_the_readers_language(self):
        with translation.override("es"), self.assertRaises(OutsideServiceArea) as e:
            services.request_submit(service=self.pothole, lat=41.0, long=-90.0)

        self.assertEqual(
            e.exception.message,
            "Este lugar queda fuera del área de servicio de Testville, así que el "
            "municipio no puede recibir la solicitud.",
        )

    def test_it_asks_for_missing_answers_in_the_readers_language(self):
        self.pothole.attributes.create(
            code="depth", description="¿Qué tan hondo?", datatype="number", order=1
        )

        with translation.override("es"), self.assertRaises(InvalidInput) as caught:
            services.request_submit(
                service=self.pothole,
                lat=CENTRE[0],
                long=CENTRE[1],
                attributes={"depth": "mucho"},
            )

        self.assertEqual(
            caught.exception.errors,
            {"depth": "“¿Qué tan hondo?”: escriba un número, como 3 o 2.5."},
        )


class EmailLanguageTests(FrontTestCase):
    """Followers record no language, and staff act in their own, so e-mails
    about a request are written in the site's language (LANGUAGE_CODE),
    whatever the language of the page that caused them."""

    def test_it_writes_to_followers_in_the_site_language(self):
        url = reverse("report:form", args=["pothole"])
        form = {
            "lat": str(CENTRE[0]),
            "long": str(CENTRE[1]),
            "description": "Un bache enorme",
            "reporter_email": RESIDENT_EMAIL,
        }
        self.client.post(url, form, **ES)
        request = self.pothole.requests.get()
        self.client.post(
            reverse("front:follow", args=[request.pk]),
            {"email": "vecina@example.org"},
            **ES,
        )

        with translation.override("es"):
            services.request_acknowledge(request, by=self.roads_clerk)

        confirmation = Message.objects.get(kind="confirmation")
        self.assertEqual(
            confirmation.subject, f"Request {request.pk} received: Pothole"
        )
        acknowledged = Message.objects.filter(kind="acknowledged")
        self.assertEqual(acknowledged.count(), 2)
        for message in acknowledged:
            self.assertEqual(
                message.subject, f"Request {request.pk} acknowledged: Pothole"
            )
            self.assertIn("Stop these e-mails", message.body_text)

    def test_it_sends_the_sign_in_link_in_the_language_it_was_asked_in(self):
        self.submit()

        self.client.post(reverse("residents:sign-in"), {"email": RESIDENT_EMAIL}, **ES)

        message = Message.objects.get(kind="sign-in")
        self.assertEqual(message.subject, "Su enlace para entrar a Testville 311")
        self.assertIn("El enlace funciona una sola vez", message.body_text)
