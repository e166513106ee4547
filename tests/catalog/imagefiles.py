"""Image files for tests: ordinary ones made with Pillow, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def picture(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    colour: tuple[int, int, int] = (200, 60, 30),
    **options: object,
) -> bytes:
    image = Image.new("RGB", size, colour)
    # A second colour in one corner, so orientation changes are visible.
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def with_exif(orientation: int = 6) -> bytes:
    """A 640x480 JPEG whose EXIF says to turn it, and names a camera."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS latitude
    return picture("JPEG", exif=exif.tobytes())


def php_as_jpg() -> bytes:
    return b"<?php system($_GET['cmd']); ?>\n"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        b'width="100" height="100"><script>alert(document.cookie)</script>'
        b'<rect width="100" height="100"/></svg>'
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_declaring(width: int, height: int, *, bit_depth: int = 1) -> bytes:
    """A real grayscale PNG of ``width`` x ``height``, all black, written
    row by row: tiny on disk, huge once decoded."""
    row = b"\x00" + b"\x00" * ((width * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )
