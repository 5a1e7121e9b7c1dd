"""Member photos for the card: a real JPEG or PNG, big enough, cropped and scaled to a 3x4 portrait."""

from __future__ import annotations

import io

from chassis.errors import FieldError
from contracts.events.members_photo_v1 import CARD_PHOTO_SIZE, MAX_JPEG_BYTES
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MIN_WIDTH, MIN_HEIGHT = 150, 200
MAX_PIXELS = 40_000_000  # a decompression bomb declares huge dimensions in a small file
CARD_SIZE = (300, 400)  # 3x4 at 100 px per cm


def problem(code: str, vi: str, en: str) -> FieldError:
    return FieldError("photo", code, vi, en)


def too_big() -> FieldError:
    return problem("photo-too-big", "Ảnh có kích thước quá lớn", "The image dimensions are too large")


def card_portrait(data: bytes) -> bytes:
    """The JPEG for the card, or a FieldError (raised as ValueError's argument) saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise ValueError(problem("photo-too-large", "Ảnh lớn hơn 5 MB", "The photo is larger than 5 MB"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            probe.verify()
    except Image.DecompressionBombError as error:  # declares far more pixels than any photo: never decoded
        raise ValueError(too_big()) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(
            problem("not-an-image", "Tệp không phải ảnh JPEG hoặc PNG", "The file is not a JPEG or PNG image")
        ) from error
    if kind not in ("JPEG", "PNG"):
        raise ValueError(
            problem("not-an-image", "Tệp không phải ảnh JPEG hoặc PNG", "The file is not a JPEG or PNG image")
        )
    if width * height > MAX_PIXELS:
        raise ValueError(too_big())
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(
            problem(
                "photo-too-small",
                f"Ảnh quá nhỏ (tối thiểu {MIN_WIDTH}x{MIN_HEIGHT} điểm ảnh)",
                f"The photo is too small (at least {MIN_WIDTH}x{MIN_HEIGHT} pixels)",
            )
        )
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        portrait = ImageOps.fit(image, CARD_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        out = io.BytesIO()
        portrait.save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue()


def card_print_photo(portrait: bytes) -> tuple[bytes, int, int]:
    """The stored portrait at card resolution (`CARD_PHOTO_SIZE`, about 300 dpi on the face's photo box), as a small
    baseline JPEG, with its width and height: what goes to cards, a few tens of KB, not the stored file."""
    with Image.open(io.BytesIO(portrait)) as image:
        image = image.convert("RGB")
        if image.size != CARD_PHOTO_SIZE:
            image = ImageOps.fit(image, CARD_PHOTO_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        for quality in (85, 70, 50):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= MAX_JPEG_BYTES:
                return out.getvalue(), *CARD_PHOTO_SIZE
    raise ValueError(too_big())
