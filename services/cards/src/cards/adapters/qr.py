"""QR codes of one order's cards, made fast: every card's QR holds the same address and a 16-character code.

segno took ~5 ms a card, most of it trying the eight masks on every code and placing bits through generic
checks. Here segno makes ONE code of the order's shape (the address and a code of the same length), which fixes
the version and the mask it judged best, and gives the function patterns and format information; every card
then needs only its data codewords, their Reed–Solomon error correction (ISO/IEC 18004, level M, byte mode) and
the data modules written at positions worked out once. Any of the eight masks is valid for every reader; using
the one chosen for the order's shape keeps its codes alike. `tests/test_qr.py` checks each code module for module
against segno given the same version and mask.
"""

from __future__ import annotations

from functools import lru_cache

import segno

# Level M, versions 1–10: (error correction codewords per block, [(blocks, data codewords per block), ...]).
_BLOCKS_M = {
    1: (10, [(1, 16)]),
    2: (16, [(1, 28)]),
    3: (26, [(1, 44)]),
    4: (18, [(2, 32)]),
    5: (24, [(2, 43)]),
    6: (16, [(4, 27)]),
    7: (18, [(4, 31)]),
    8: (22, [(2, 38), (2, 39)]),
    9: (22, [(3, 36), (2, 37)]),
    10: (26, [(4, 43), (1, 44)]),
}
_ALIGNMENT = {
    2: (6, 18),
    3: (6, 22),
    4: (6, 26),
    5: (6, 30),
    6: (6, 34),
    7: (6, 22, 38),
    8: (6, 24, 42),
    9: (6, 26, 46),
    10: (6, 28, 50),
}
_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


@lru_cache
def _generator_tables(degree: int) -> tuple[bytes, ...]:
    """For each coefficient of the generator polynomial prod(x - a^i), i < degree (highest first, the leading 1
    dropped), its products with every byte: the division below is then table look-ups."""
    polynomial = [1]
    for i in range(degree):
        product = [0] * (len(polynomial) + 1)
        for k, coefficient in enumerate(polynomial):
            product[k] ^= coefficient
            if coefficient:
                product[k + 1] ^= _EXP[_LOG[coefficient] + i]
        polynomial = product
    return tuple(bytes(_EXP[_LOG[c] + _LOG[f]] if c and f else 0 for f in range(256)) for c in polynomial[1:])


def _error_correction(data: list[int], degree: int) -> list[int]:
    """The remainder of the data polynomial times x^degree divided by the generator (Reed–Solomon)."""
    tables = _generator_tables(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder[0]
        remainder.append(0)
        remainder = [r ^ table[factor] for r, table in zip(remainder[1:], tables, strict=True)]
    return remainder


class QrShape:
    """The version, mask and fixed modules shared by every code of `length` bytes whose first bytes are `sample`'s."""

    def __init__(self, sample: str) -> None:
        template = segno.make_qr(sample, error="m", mode="byte", boost_error=False)
        if template.version not in _BLOCKS_M:
            raise ValueError(f"version {template.version} is beyond this encoder (1–10)")
        self.length = len(sample.encode())
        self.version, self.mask = template.version, template.mask
        self.matrix = [bytearray(row) for row in template.matrix]
        self.ec_per_block, groups = _BLOCKS_M[self.version]
        self.blocks = [size for count, size in groups for _ in range(count)]
        self.capacity = sum(self.blocks)
        self.positions = self._data_positions(len(self.matrix))

    def _data_positions(self, width: int) -> list[tuple[int, int, int]]:
        """Every data module in placement order, with the mask's bit there."""
        reserved = [[False] * width for _ in range(width)]

        def reserve(rows, columns):
            for i in rows:
                for j in columns:
                    if 0 <= i < width and 0 <= j < width:
                        reserved[i][j] = True

        for i, j in ((0, 0), (0, width - 8), (width - 8, 0)):  # finders with separators
            reserve(range(i, i + 8), range(j, j + 8))
        reserve([6], range(width))  # timing
        reserve(range(width), [6])
        centres = _ALIGNMENT.get(self.version, ())
        for i in centres:
            for j in centres:
                if not ((i == 6 and j == 6) or (i == 6 and j == centres[-1]) or (i == centres[-1] and j == 6)):
                    reserve(range(i - 2, i + 3), range(j - 2, j + 3))
        reserve([8], range(9))  # format information (and the dark module beside it)
        reserve(range(9), [8])
        reserve([8], range(width - 8, width))
        reserve(range(width - 8, width), [8])
        if self.version >= 7:  # version information
            reserve(range(width - 11, width - 8), range(6))
            reserve(range(6), range(width - 11, width - 8))
        mask = _MASKS[self.mask]
        positions, upward, column = [], True, width - 1
        while column > 0:
            if column == 6:
                column -= 1
            rows = range(width - 1, -1, -1) if upward else range(width)
            for i in rows:
                for j in (column, column - 1):
                    if not reserved[i][j]:
                        positions.append((i, j, 1 if mask(i, j) else 0))
            upward = not upward
            column -= 2
        return positions

    def codewords(self, data: bytes) -> list[int]:
        """Byte mode: mode, length, the bytes, terminator, padding; then blocks and their error correction,
        interleaved."""
        count_bits = 8 if self.version < 10 else 16
        bits = (0b0100 << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
        size = 4 + count_bits + 8 * len(data)
        terminator = min(4, self.capacity * 8 - size)
        bits, size = bits << terminator, size + terminator
        # Zero bits to the next byte boundary, a whole zero byte when already on one: what segno writes (readers
        # stop at the terminator), so the codes are segno's to the module.
        padding = 8 - size % 8 if size + 8 - size % 8 <= self.capacity * 8 else -size % 8
        bits, size = bits << padding, size + padding
        message = list(bits.to_bytes(size // 8, "big"))
        message += [0xEC, 0x11] * ((self.capacity - len(message)) // 2) + [0xEC] * ((self.capacity - len(message)) % 2)
        blocks, start = [], 0
        for size in self.blocks:
            blocks.append(message[start : start + size])
            start += size
        corrections = [_error_correction(block, self.ec_per_block) for block in blocks]
        longest = max(self.blocks)
        interleaved = [block[k] for k in range(longest) for block in blocks if k < len(block)]
        return interleaved + [correction[k] for k in range(self.ec_per_block) for correction in corrections]

    def modules(self, text: str) -> list[bytearray]:
        """The code's matrix, rows of 0 (light) and 1 (dark)."""
        data = text.encode()
        if len(data) != self.length:
            return [bytearray(row) for row in segno.make_qr(text, error="m").matrix]
        matrix = [bytearray(row) for row in self.matrix]
        codewords = self.codewords(data)
        # The codewords' bits, most significant first, then zero remainder bits up to the last data module.
        bits = format(int.from_bytes(bytes(codewords), "big"), f"0{8 * len(codewords)}b")
        bits = bits.ljust(len(self.positions), "0")
        for (i, j, mask_bit), bit in zip(self.positions, bits, strict=True):
            matrix[i][j] = (bit == "1") ^ mask_bit
        return matrix
