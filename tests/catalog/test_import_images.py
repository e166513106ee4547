"""Import and export carry product images: local files and http(s) URLs."""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pantry.catalog.exporter import export_products
from pantry.catalog.images.sources import SourceError, fetch
from pantry.catalog.importing import import_products
from pantry.catalog.models import Product, ProductImage
from tests.catalog import imagefiles
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kitchen(db: None) -> Any:
    return CategoryFactory(slug="kitchen", name="Kitchen")


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, tuple[int, bytes]] = {}

    def do_GET(self) -> None:
        status, body = self.files.get(self.path, (404, b"missing"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    files: dict[str, tuple[int, bytes]] = {}
    handler = type("Handler", (_Files,), {"files": files})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", files
    httpd.shutdown()
    httpd.server_close()


def doc(**fields: Any) -> dict[str, Any]:
    return {"slug": "mug", "name": "Blue Mug", "category": "kitchen", **fields}


def run(docs: list[dict[str, Any]], base: Path | None = None, **options: Any) -> Any:
    data = b"".join(json.dumps(d).encode() + b"\n" for d in docs)
    return import_products(
        io.BytesIO(data), file_format="jsonl", image_base=base, **options
    )


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_local_path_is_read_relative_to_the_import_file(
    kitchen: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "mug.png").write_bytes(imagefiles.picture("PNG"))

    with django_capture_on_commit_callbacks(execute=True):
        result = run(
            [doc(images=[{"src": "pics/mug.png", "alt": "A blue mug"}])], tmp_path
        )

    assert result.loaded, result.report()
    image = ProductImage.objects.get()
    assert (image.alt, image.format, image.width) == ("A blue mug", "png", 640)
    assert image.renditions.count() == 6


def test_a_url_is_fetched_when_private_addresses_are_allowed(
    kitchen: Any, settings: Any, server: Any
) -> None:
    settings.PANTRY_IMAGE_FETCH_ALLOW_PRIVATE = True
    base, files = server
    files["/mug.jpg"] = (200, imagefiles.picture())

    result = run([doc(images=[f"{base}/mug.jpg"])])

    assert result.loaded, result.report()
    # Alt text defaults to the product's name.
    assert ProductImage.objects.get().alt == "Blue Mug"


def test_a_loopback_url_is_refused_by_default_and_nothing_is_imported(
    kitchen: Any, server: Any, media: Path
) -> None:
    base, files = server
    files["/mug.jpg"] = (200, imagefiles.picture())

    result = run([doc(images=[f"{base}/mug.jpg"])])

    assert not result.loaded
    assert "not a public address" in result.report()[0]
    assert not Product.objects.exists()
    assert files_in(media) == []


@pytest.mark.parametrize(
    "url", ["http://10.0.0.8/a.jpg", "http://169.254.169.254/a", "http://[::1]/a"]
)
def test_private_and_link_local_addresses_are_not_fetched(url: str) -> None:
    with pytest.raises(SourceError, match="not a public address"):
        fetch(url)


def test_redirects_are_not_followed(settings: Any, server: Any) -> None:
    settings.PANTRY_IMAGE_FETCH_ALLOW_PRIVATE = True
    base, files = server
    files["/moved.jpg"] = (302, b"")

    with pytest.raises(SourceError, match="answered HTTP 302"):
        fetch(f"{base}/moved.jpg")


def test_a_url_body_over_the_limit_is_refused(settings: Any, server: Any) -> None:
    settings.PANTRY_IMAGE_FETCH_ALLOW_PRIVATE = True
    settings.PANTRY_IMAGE_MAX_BYTES = 1000
    base, files = server
    files["/big.jpg"] = (200, b"x" * 5000)

    with pytest.raises(SourceError, match="larger than 1000 bytes"):
        fetch(f"{base}/big.jpg")


def test_a_slow_server_times_out(settings: Any) -> None:
    import socket

    settings.PANTRY_IMAGE_FETCH_ALLOW_PRIVATE = True
    settings.PANTRY_IMAGE_FETCH_TIMEOUT = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        with pytest.raises(SourceError, match="did not answer in time"):
            fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/slow.jpg")
    finally:
        silent.close()


def test_a_hostile_file_fails_its_line_and_writes_no_file(
    kitchen: Any, tmp_path: Path, media: Path
) -> None:
    (tmp_path / "good.jpg").write_bytes(imagefiles.picture())
    (tmp_path / "shell.jpg").write_bytes(imagefiles.php_as_jpg())

    result = run(
        [
            doc(images=["good.jpg"]),
            doc(slug="cup", name="Cup", images=["shell.jpg"]),
        ],
        tmp_path,
    )

    assert not result.loaded
    assert result.report() == [
        "line 2: image 1: The file is not a JPEG, PNG, WebP or GIF image "
        "(checked by its content, not its name)."
    ]
    assert not ProductImage.objects.exists()
    assert files_in(media) == []


def test_skip_invalid_keeps_the_product_without_the_bad_image(
    kitchen: Any, tmp_path: Path
) -> None:
    result = run([doc(images=["missing.jpg"])], tmp_path, skip_invalid=True)

    assert result.loaded
    assert result.report() == ["line 1: image 1: no such file: missing.jpg"]
    assert Product.objects.filter(slug="mug").exists()
    assert not ProductImage.objects.exists()


def test_export_then_import_round_trips_images(
    kitchen: Any, tmp_path: Path, media: Path
) -> None:
    (tmp_path / "a.jpg").write_bytes(imagefiles.picture())
    (tmp_path / "b.jpg").write_bytes(imagefiles.picture(colour=(0, 0, 0)))
    run([doc(images=[{"src": "a.jpg", "alt": "Front"}, "b.jpg"])], tmp_path)
    out = io.StringIO()
    export_products(out)
    exported = json.loads(out.getvalue())
    stored = list(ProductImage.objects.order_by("position"))

    assert [i["alt"] for i in exported["images"]] == ["Front", "Blue Mug"]
    assert exported["images"][0]["src"].endswith(stored[0].file.name)
    assert exported["images"][0]["src"].startswith("http")

    # Importing the export again reads the files from storage: no fetch,
    # no new image.
    again = run([exported])
    assert again.loaded, again.report()
    assert ProductImage.objects.count() == 2


def test_csv_images_column_takes_sources_separated_by_bars(
    kitchen: Any, tmp_path: Path
) -> None:
    (tmp_path / "a.jpg").write_bytes(imagefiles.picture())
    (tmp_path / "b.png").write_bytes(imagefiles.picture("PNG", colour=(1, 2, 3)))
    data = b"slug,name,category,images\nmug,Blue Mug,kitchen,a.jpg|b.png\n"

    result = import_products(io.BytesIO(data), file_format="csv", image_base=tmp_path)

    assert result.loaded, result.report()
    assert list(
        ProductImage.objects.order_by("position").values_list("format", flat=True)
    ) == ["jpeg", "png"]


def test_an_export_without_images_has_no_images_key(kitchen: Any) -> None:
    run([doc()])
    out = io.StringIO()

    export_products(out)

    assert "images" not in json.loads(out.getvalue())
