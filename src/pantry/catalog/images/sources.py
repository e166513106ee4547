"""Where an imported image comes from: a local file or an http(s) URL.

A URL is fetched with a timeout (PANTRY_IMAGE_FETCH_TIMEOUT) and at most
PANTRY_IMAGE_MAX_BYTES read. Unless PANTRY_IMAGE_FETCH_ALLOW_PRIVATE is on,
the host must resolve only to public addresses (no loopback, private,
link-local such as cloud metadata, or reserved ones), and the request then
goes to the checked address, so a DNS answer changing in between cannot
send it elsewhere. Redirects are not followed. A URL under this shop's own
media address (what an export writes) is read from storage, not fetched.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.files.storage import default_storage

from pantry.core.addresses import NotPublic, public_address

SRC_MAX = 2000


class SourceError(Exception):
    """The image cannot be read from its source; the message says why."""


def media_prefix() -> str:
    """The absolute URL that stored file names are appended to."""
    return urljoin(settings.PANTRY_SITE_URL, default_storage.url("x"))[:-1]


def stored_name(src: str) -> str | None:
    """The storage name ``src`` (a URL) points to, when it is a stored file."""
    prefix = media_prefix()
    if src.startswith(prefix) and default_storage.exists(src[len(prefix) :]):
        return src[len(prefix) :]
    return None


def read_source(src: str, *, base: Path | None) -> bytes:
    """The bytes of ``src`` (a path relative to ``base``, or a URL)."""
    if not src or len(src) > SRC_MAX or "\x00" in src:
        raise SourceError(f"an image source has 1 to {SRC_MAX} characters")
    scheme = urlsplit(src).scheme.lower()
    if scheme in {"http", "https"}:
        if name := stored_name(src):
            with default_storage.open(name, "rb") as stream:
                return _limited(stream.read(settings.PANTRY_IMAGE_MAX_BYTES + 1))
        return fetch(src)
    if scheme and len(scheme) > 1:
        raise SourceError(f"only http(s) URLs and file paths are read, not {scheme}:")
    if base is None:
        raise SourceError("a file path needs the import file's folder")
    path = Path(src) if Path(src).is_absolute() else base / src
    try:
        with path.open("rb") as stream:
            return _limited(stream.read(settings.PANTRY_IMAGE_MAX_BYTES + 1))
    except FileNotFoundError:
        raise SourceError(f"no such file: {src}") from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise SourceError(f"cannot read {src}: {exc.strerror or exc}") from None


def _limited(data: bytes) -> bytes:
    if len(data) > settings.PANTRY_IMAGE_MAX_BYTES:
        raise SourceError(
            f"the image is larger than {settings.PANTRY_IMAGE_MAX_BYTES} bytes"
        )
    return data


def _pinned(url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL to request, its extensions and headers (the checked address)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise SourceError("the URL's port is not valid") from None
    host = parts.hostname
    if not host or parts.username or parts.password:
        raise SourceError("the URL needs a host and no user name or password")
    if settings.PANTRY_IMAGE_FETCH_ALLOW_PRIVATE:
        return url, {}, {}
    try:
        address = public_address(host, port)
    except NotPublic as exc:
        if exc.unresolved:
            raise SourceError(f"the host {host} cannot be resolved") from None
        raise SourceError(
            f"the host {host} is not a public address; images are not fetched "
            "from loopback, private or link-local addresses"
        ) from None
    netloc = (f"[{address}]" if ":" in address else address) + (
        f":{parts.port}" if parts.port else ""
    )
    header = host + (f":{parts.port}" if parts.port else "")
    return (
        urlunsplit(parts._replace(netloc=netloc)),
        {"sni_hostname": host},
        {"Host": header},
    )


def fetch(url: str) -> bytes:
    """GET ``url`` and return its body; raise SourceError."""
    target, extensions, headers = _pinned(url)
    limit = settings.PANTRY_IMAGE_MAX_BYTES
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(settings.PANTRY_IMAGE_FETCH_TIMEOUT),
                follow_redirects=False,
            ) as client,
            client.stream(
                "GET", target, headers=headers, extensions=extensions
            ) as response,
        ):
            if response.status_code != 200:
                raise SourceError(f"{url} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise SourceError(f"the image is larger than {limit} bytes")
            return bytes(body)
    except httpx.TimeoutException:
        raise SourceError(f"{url} did not answer in time") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"{url} cannot be fetched: {exc}") from None
