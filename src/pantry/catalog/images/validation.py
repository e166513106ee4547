"""Decide whether bytes are an image pantry accepts, and clean them.

The type is found by decoding, never from the name or the declared content
type: Pillow opens the bytes, restricted to JPEG, PNG, WebP and GIF (so SVG,
PDF, PSD, TIFF and everything else are refused). The size in pixels is read
from the header and checked before any pixel is decoded, so a
decompression bomb (a small file declaring a huge canvas) costs nothing.
The image is then decoded in full (a truncated or corrupt file fails here),
turned upright by its EXIF orientation and re-encoded without its EXIF,
XMP or comments: what is stored is pixels pantry wrote, not the upload.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from pantry.catalog.errors import InvalidImage

ACCEPTED = ("JPEG", "PNG", "WEBP", "GIF")
# What each accepted type is stored as: a GIF becomes a still PNG.
STORED_AS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
ALT_MAX = 300


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image ready to store."""

    content: bytes
    format: str  # jpeg, png or webp
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _refuse(reason: str) -> InvalidImage:
    return InvalidImage(reason, fields={"file": reason})


def read_limited(stream: IO[bytes]) -> bytes:
    """Read ``stream`` whole, or raise InvalidImage past the byte limit."""
    limit = settings.PANTRY_IMAGE_MAX_BYTES
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _refuse(f"The file is larger than {limit} bytes.")
    return data


def clean_image(data: bytes) -> CleanImage:
    """Decode ``data`` and return it re-encoded; raise InvalidImage.

    Refused: anything that is not a JPEG, PNG, WebP or GIF by its content,
    more than PANTRY_IMAGE_MAX_BYTES bytes or PANTRY_IMAGE_MAX_PIXELS
    pixels, and files that do not decode whole.
    """
    if len(data) > settings.PANTRY_IMAGE_MAX_BYTES:
        raise _refuse(
            f"The file is larger than {settings.PANTRY_IMAGE_MAX_BYTES} bytes."
        )
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ", b"<svg>", b"<!doc"):
        raise _refuse("SVG images are not accepted: upload a JPEG, PNG or WebP.")
    max_pixels = settings.PANTRY_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns between 1x and 2x its limit;
            # make that a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise _refuse("The image has no pixels.")
                if width * height > max_pixels:
                    raise _refuse(
                        f"The image is {width}x{height} pixels; at most "
                        f"{max_pixels} pixels are accepted."
                    )
                source_format = image.format or ""
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, STORED_AS[source_format])
    except InvalidImage:
        raise
    except UnidentifiedImageError:
        raise _refuse(
            "The file is not a JPEG, PNG, WebP or GIF image (checked by its "
            "content, not its name)."
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(f"The image has more than {max_pixels} pixels.") from None
    except (OSError, SyntaxError, ValueError, EOFError, KeyError, IndexError):
        # Pillow's ways of saying "truncated or corrupt".
        raise _refuse("The image is damaged or incomplete.") from None


def _encode(image: Image.Image, fmt: str) -> CleanImage:
    """Write ``image`` as ``fmt`` with no metadata but its colour profile."""
    icc = image.info.get("icc_profile")
    if fmt == "jpeg":
        image = _flatten(image)
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=88, optimize=True, **options)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=85, **options)
    else:
        image.save(out, "PNG", optimize=False, **options)
    return CleanImage(
        content=out.getvalue(), format=fmt, width=image.width, height=image.height
    )


def _flatten(image: Image.Image) -> Image.Image:
    """``image`` as RGB, any transparency put on white (for JPEG)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def clean_alt(alt: object) -> str:
    """Alt text trimmed; raise InvalidImage-shaped 422 when blank or long."""
    from pantry.core.errors import Invalid

    text = alt.strip() if isinstance(alt, str) else ""
    if not text:
        raise Invalid(
            "Alt text is required: describe the image for people who cannot see it.",
            fields={"alt": "required"},
        )
    if len(text) > ALT_MAX or "\x00" in text:
        raise Invalid(
            f"Alt text is at most {ALT_MAX} characters of plain text.",
            fields={"alt": "too long or not text"},
        )
    return text
