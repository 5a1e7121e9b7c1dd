"""The card faces' QR codes: made without segno per card, yet segno's codes to the module, and drawn as such."""

from __future__ import annotations

import random
import re
import zlib
from types import SimpleNamespace

import pytest
import segno
from cards.adapters.order_documents import card_faces_pdf
from cards.adapters.qr import QrShape
from cards.domain.model import new_verification_code

ADDRESSES = [
    "http://127.0.0.1:8080/api/v1/public/cards/verify/",  # version 5, two blocks
    "https://x.vn/",  # version 3, one block
    "https://thedoanvien.congdoanvietnam.org/api/v1/public/cards/verify/?nguon=the&ma=",  # version 7: version info
    "https://the.congdoan.vn/xac-thuc/" + "a" * 120,  # version 9: blocks of two sizes
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_code_is_segnos_with_the_same_version_and_mask(address):
    shape = QrShape(address + "0" * 16)
    for _ in range(100):
        text = address + new_verification_code()
        reference = segno.make_qr(
            text, error="m", mode="byte", version=shape.version, mask=shape.mask, boost_error=False
        )
        assert [bytes(row) for row in shape.modules(text)] == [bytes(row) for row in reference.matrix], text


def test_a_text_of_another_length_is_left_to_segno():
    shape = QrShape(ADDRESSES[0] + "0" * 16)
    text = ADDRESSES[0] + "SHORT"
    assert [bytes(row) for row in shape.modules(text)] == [bytes(row) for row in segno.make_qr(text, error="m").matrix]


def drawn_codes(pdf: bytes) -> list[list[bytes]]:
    """Each QR code on the pages, rebuilt from the rectangles its path is made of."""
    codes = []
    for stream in re.findall(rb"/Filter \[ /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        content = zlib.decompressobj().decompress(stream)
        for path in re.findall(rb" cm\s+((?:\d+ \d+ \d+ 1 re ?)+) f", content):
            runs = [tuple(map(int, run)) for run in re.findall(rb"(\d+) (\d+) (\d+) 1 re", path)]
            width = max(x + length for x, _, length in runs)
            rows = [bytearray(width) for _ in range(width)]
            for x, bottom, length in runs:
                rows[width - 1 - bottom][x : x + length] = b"\x01" * length
            codes.append([bytes(row) for row in rows])
    return codes


def test_each_card_face_carries_the_qr_of_its_own_verification_address():
    address = ADDRESSES[0]
    lines = [
        SimpleNamespace(
            full_name=f"Nguyễn Văn {i}",
            member_code=f"79{i:09d}",
            card_number=f"{i:010d}",
            unit_name="Công đoàn cơ sở",
            verification_code=new_verification_code(),
        )
        for i in range(random.randint(11, 15))
    ]  # two sheets
    drawn = drawn_codes(card_faces_pdf(lines, address))
    # segno's own choice of mask may differ from the order's; the modules a reader decodes are the same text's.
    assert len(drawn) == len(lines)
    shape = QrShape(address + "0" * 16)
    for code, line in zip(drawn, lines, strict=True):
        reference = segno.make_qr(
            address + line.verification_code,
            error="m",
            mode="byte",
            version=shape.version,
            mask=shape.mask,
            boost_error=False,
        )
        assert code == [bytes(row) for row in reference.matrix]
