"""Photos uploaded as soon as they are picked, before the form they belong
to is sent: the report form's and a campaign's. The page's script reads
the answer."""

import logging

from django.http import JsonResponse
from django.utils.translation import gettext as _

from town311.lib.errors import InvalidInput
from town311.report.forms import DRAFT_KEY
from town311.servicerequests.models import Photo

logger = logging.getLogger(__name__)


def photo_upload_answer(request, *, keep) -> JsonResponse:
    """Keep the photo the request uploads for its form's draft, with
    `keep(upload, draft_key=…)` (such as `photo_store`), and answer with
    the photo's id, thumbnail and GPS position, or with what went wrong."""
    draft_key = request.POST.get("draft_key", "")
    upload = request.FILES.get("photo")
    if not DRAFT_KEY.match(draft_key):
        message = _("This form has expired. Reload the page and try again.")
        return JsonResponse({"error": message}, status=400)

    if upload is None:
        return JsonResponse({"error": _("Choose a photo to upload.")}, status=400)

    try:
        stored = keep(upload, draft_key=draft_key)
    except InvalidInput as e:
        return JsonResponse({"error": photo_problem(upload, e)}, status=400)
    except OSError:
        logger.exception("Could not save an uploaded photo to storage")
        return JsonResponse({"error": photo_not_kept(upload)}, status=503)

    gps = stored.gps
    return JsonResponse(
        {
            "id": stored.photo.pk,
            "thumbnail": thumbnail_url(stored.photo),
            "gps": {"lat": gps[0], "long": gps[1]} if gps else None,
        },
        status=201,
    )


def draft_photos(draft_key: str):
    """The photos uploaded for a form not sent yet."""
    return Photo.objects.filter(draft_key=draft_key, request__isnull=True)


def thumbnail_url(photo: Photo) -> str:
    return (photo.thumbnail or photo.image).url


def photo_problem(upload, error: InvalidInput) -> str:
    problem = error.errors.get("photos") or error.message
    return _("“%(name)s”: %(problem)s") % {"name": upload.name, "problem": problem}


def photo_not_kept(upload) -> str:
    return _("We could not keep “%(name)s” just now: please try again.") % {
        "name": upload.name
    }
