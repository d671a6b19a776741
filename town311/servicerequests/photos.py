"""Photos residents add to their requests: checked, cleaned and stored.

Nothing about an upload is trusted. Its type comes from its content, not
its name or the browser's word; its size in pixels is read from the header
and checked before any decoding, so a small file that would unpack into
gigabytes is refused cheaply. What is stored is a fresh encoding of the
pixels alone, turned the right way up: no EXIF (with its GPS position,
camera serial numbers and dates), no XMP, no comments, no ICC profile. The
GPS position is read before it is dropped, so the report form can offer it
as the pin.

Photos uploaded while the report form is being filled in are drafts, kept
under the form's draft key until `photos_attach` gives them their request;
`photo_drafts_prune` deletes the ones whose form was never sent.
"""

import io
import logging
import math
import secrets
import struct
import warnings
import zlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image, ImageCms

from town311.lib.errors import InvalidInput
from town311.servicerequests.models import Photo, ServiceRequest

logger = logging.getLogger(__name__)

# Phones save HEIC by default; pillow-heif teaches Pillow to open it.
pillow_heif.register_heif_opener()

# Pillow's names for what residents may send. Its JPEG reader calls a JPEG
# that carries a second picture (a depth map, a preview), as many phone
# cameras write, an MPO.
OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")
FORMATS = (*OPENERS, "MPO")

# Photos and HEIC become JPEG, which every browser shows; PNG and WebP stay
# as they are, keeping transparency and the sharp edges of screenshots.
STORED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "HEIF": "JPEG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {},
    "WEBP": {"quality": 85, "method": 4},
}

STORED_SIDE = 2048
THUMBNAIL_SIDE = 400

DRAFT_KEY_MAX_LENGTH = Photo._meta.get_field("draft_key").max_length
DRAFT_MAX_AGE = timedelta(days=1)

# How each EXIF orientation other than 1 (upright) is undone.
ORIENTATION_FIXES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
PRUNE_BATCH = 500

# What decoders raise on a damaged or cut-short file. Pillow's plugins and
# the C decoders behind them do not share one exception class.
DECODING_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    RuntimeError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True)
class StoredPhoto:
    photo: Photo
    # Where the camera was, from the EXIF the stored copy no longer has.
    gps: tuple[float, float] | None


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo as the files to store: the photo itself without its
    metadata, turned upright, and its thumbnail."""

    photo: bytes
    thumbnail: bytes
    extension: str
    gps: tuple[float, float] | None


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def photo_store(
    upload, *, request: ServiceRequest | None = None, draft_key: str = ""
) -> StoredPhoto:
    """Check an uploaded photo and store a clean copy and a thumbnail.

    The photo belongs to `request`, or, before the request exists, to the
    report form whose `draft_key` is given. Raises InvalidInput with the
    problem under "photos" when the file is not a photo we can read, is
    too big, or the request already has as many photos as it may.
    """
    if request is None and not draft_key:
        raise ValueError("photo_store needs a request or a draft key.")

    if len(draft_key) > DRAFT_KEY_MAX_LENGTH:
        raise InvalidInput(
            {"photos": _("This form has expired: reload the page and try again.")}
        )

    _check_room(request, draft_key)
    clean = photo_clean(upload)

    photo = Photo(request=request, draft_key="" if request else draft_key)
    name = secrets.token_hex(16)
    for field, file_name, data in (
        (photo.image, f"{name}.{clean.extension}", clean.photo),
        (photo.thumbnail, f"{name}-thumb.{clean.extension}", clean.thumbnail),
    ):
        # The content is named too: an image field reads the width and
        # height from a named file only.
        field.save(file_name, ContentFile(data, name=file_name), save=False)
    try:
        photo.save()
    except Exception:
        # Without its row nothing would ever find and delete the files.
        _files_delete([photo.image.name, photo.thumbnail.name])
        raise

    return StoredPhoto(photo=photo, gps=clean.gps)


def photo_clean(upload, *, field: str = "photos") -> CleanPhoto:
    """Check an uploaded photo and make the copies to store, without
    storing them, for photos kept on other rows than a request's.

    Raises InvalidInput with the problem under `field` when the file is
    not a photo we can read or is too big.
    """
    try:
        image = _open(_read(upload))
        gps = _gps(_exif(image))
        stored, thumbnail, output_format = _clean_copies(image)
    except _Refused as refused:
        raise InvalidInput({field: refused.message}) from None

    return CleanPhoto(
        photo=_encode(stored, output_format),
        thumbnail=_encode(thumbnail, output_format),
        extension=EXTENSIONS[output_format],
        gps=gps,
    )


def photo_gps(upload) -> tuple[float, float] | None:
    """The (lat, long) the camera recorded in the photo, if it did.

    Returns None for anything `photo_store` would refuse. The upload is
    rewound afterwards, so it can be stored next.
    """
    try:
        image = _open(_read(upload))
        return _gps(_exif(image))
    except _Refused:
        return None
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)


def photos_attach(*, draft_key: str, service_request: ServiceRequest) -> int:
    """Give the draft photos of a report form to the request it created.

    Attaches the oldest drafts, as many as the request has room for, and
    returns how many; the rest are left for `photo_drafts_prune`.
    """
    if not draft_key:
        return 0

    with transaction.atomic():
        room = settings.PHOTOS_PER_REQUEST - service_request.photos.count()
        if room <= 0:
            return 0

        drafts = Photo.objects.filter(request=None, draft_key=draft_key)
        chosen = list(drafts.order_by("created_at", "pk").values_list("pk", flat=True))
        return Photo.objects.filter(pk__in=chosen[:room], request=None).update(
            request=service_request, draft_key=""
        )


def photo_drafts_prune(*, dry_run: bool = False) -> int:
    """Delete draft photos older than DRAFT_MAX_AGE, with their files.

    Returns how many there were; with `dry_run` nothing is deleted.
    """
    old = Photo.objects.filter(
        request=None, created_at__lt=timezone.now() - DRAFT_MAX_AGE
    )
    if dry_run:
        return old.count()

    deleted = 0
    while batch := _drafts_delete(old):
        deleted += len(batch)
        _files_delete([name for _pk, *names in batch for name in names])

    return deleted


def _drafts_delete(drafts) -> list[tuple[int, str, str]]:
    """Delete a batch of drafts; return their pks and file names."""
    # The rows are locked, so none is attached to a request while its files
    # are about to go. Rows go before files: a row whose file is gone would
    # show a broken photo, a file without a row only wastes space.
    with transaction.atomic():
        batch = list(
            drafts.select_for_update().values_list("pk", "image", "thumbnail")[
                :PRUNE_BATCH
            ]
        )
        Photo.objects.filter(pk__in=[pk for pk, *_names in batch]).delete()

    return batch


def _check_room(request: ServiceRequest | None, draft_key: str) -> None:
    if request is not None:
        count = request.photos.count()
    else:
        count = Photo.objects.filter(request=None, draft_key=draft_key).count()

    limit = settings.PHOTOS_PER_REQUEST
    if count >= limit:
        message = ngettext(
            "A request can have %(limit)d photo; remove it to add another.",
            "A request can have up to %(limit)d photos; remove one to add another.",
            limit,
        ) % {"limit": limit}
        raise InvalidInput({"photos": message})


def _read(upload) -> bytes:
    limit = settings.PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    data = b""
    if size is None or size <= limit:
        if hasattr(upload, "seek"):
            upload.seek(0)
        # One byte more than allowed is enough to know the file is too big.
        data = upload.read(limit + 1)
        size = len(data)

    if size > limit:
        raise _Refused(
            _(
                "This photo is %(size)s, more than the %(limit)s we accept: "
                "send a smaller copy, or take it at a lower resolution."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )

    if not data:
        raise _Refused(_not_a_photo())

    return data


def _open(data: bytes) -> Image.Image:
    """Open the photo and check its pixel count before decoding it."""
    # Pillow warns about images a little over its own limit and refuses
    # those well over it; both are refused here.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused(_too_many_pixels()) from None
    except DECODING_ERRORS:
        raise _Refused(_not_a_photo()) from None

    if image.format not in FORMATS:
        raise _Refused(_not_a_photo())

    width, height = image.size
    if width < 1 or height < 1:
        raise _Refused(_damaged())

    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _Refused(_too_many_pixels(width, height))

    # A big JPEG can be decoded straight at a half, a quarter or an eighth
    # of its size, which is all the stored copy needs.
    if image.format in ("JPEG", "MPO"):
        image.draft(None, (STORED_SIDE, STORED_SIDE))

    try:
        image.load()
    except DECODING_ERRORS:
        raise _Refused(_damaged()) from None

    return image


def _exif(image: Image.Image) -> Image.Exif:
    try:
        return image.getexif()
    except DECODING_ERRORS:
        # A damaged EXIF block costs the photo its GPS position and its
        # orientation; the picture itself is still good.
        return Image.Exif()


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except DECODING_ERRORS:
        return None

    lat = _degrees(
        gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef)
    )
    long = _degrees(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef)
    )
    if lat is None or long is None:
        return None

    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None

    # Cameras without a fix often write zeros rather than nothing.
    if lat == 0 and long == 0:
        return None

    return round(lat, 6), round(long, 6)


def _degrees(value, ref) -> float | None:
    """Degrees from EXIF's degrees, minutes and seconds, negative for a
    reference of S or W."""
    parts = value if isinstance(value, tuple | list) else (value,)
    try:
        numbers = [float(part) for part in parts[:3]]
    except (TypeError, ValueError, ZeroDivisionError):
        return None

    # A rational with a zero denominator reads as NaN.
    if not numbers or not all(math.isfinite(n) for n in numbers):
        return None

    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() in ("S", "W"):
        degrees = -degrees

    return degrees


def _clean_copies(image: Image.Image) -> tuple[Image.Image, Image.Image, str]:
    """The stored copy and the thumbnail, upright, in sRGB and without any
    metadata, and the format to save them in."""
    output_format = STORED_FORMATS.get(image.format, image.format)
    orientation = _exif(image).get(ExifTags.Base.Orientation)
    icc_profile = image.info.get("icc_profile")

    try:
        stored = _plain_mode(image, keep_alpha=output_format != "JPEG")
        stored.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
        if fix := ORIENTATION_FIXES.get(orientation):
            stored = stored.transpose(fix)
        stored = _to_srgb(stored, icc_profile)
    except DECODING_ERRORS:
        raise _Refused(_damaged()) from None

    # The pixels are copied into a new image, so nothing of the upload's
    # metadata can ride along into the files.
    stored = _without_metadata(stored)
    thumbnail = stored.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return stored, _without_metadata(thumbnail), output_format


def _plain_mode(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """The image in L, LA, RGB, RGBA or CMYK, as resizing and saving need."""
    has_alpha = image.has_transparency_data
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit grey would be clipped to white by a plain conversion.
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA" if has_alpha else "RGB")

    if image.mode in ("LA", "RGBA") and not keep_alpha:
        # A JPEG has no transparency; put the photo on white, not black.
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background

    return image


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert from the photo's own colour profile to sRGB, which browsers
    assume when a file has none, so colours survive the profile's removal."""
    if image.mode == "CMYK" and not icc_profile:
        return image.convert("RGB")

    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _srgb(), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile is not worth refusing the photo over; its colours
        # are taken as they are.
        logger.debug("Ignoring a photo's unreadable colour profile")
        return image.convert("RGB") if image.mode == "CMYK" else image


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _without_metadata(image: Image.Image) -> Image.Image:
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image: Image.Image, output_format: str) -> bytes:
    if output_format == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")

    buffer = io.BytesIO()
    image.save(buffer, output_format, **SAVE_OPTIONS[output_format])
    return buffer.getvalue()


def _files_delete(names: list[str]) -> None:
    storage = Photo._meta.get_field("image").storage
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete photo file %s", name, exc_info=True)


def _not_a_photo() -> str:
    return _("This file is not a photo we can read: use JPEG, PNG, WebP or HEIC.")


def _damaged() -> str:
    return _(
        "This photo is damaged or did not arrive whole: try adding it again, "
        "or send another copy."
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    megapixels = settings.PHOTO_MAX_PIXELS // 1_000_000
    if width is None:
        return _(
            "This photo has far more pixels than we accept (%(megapixels)d "
            "megapixels at most): send a smaller copy."
        ) % {"megapixels": megapixels}

    return _(
        "This photo is %(width)d × %(height)d pixels, more than the "
        "%(megapixels)d megapixels we accept: send a smaller copy."
    ) % {"width": width, "height": height, "megapixels": megapixels}
