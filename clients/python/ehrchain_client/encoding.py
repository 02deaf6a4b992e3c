"""Canonical encodings of docs/transactions.md: tx body, tx hash, signing, batch frame, block.

Big-endian integers; u64 values below 2**53; identifiers are 1..255 ASCII bytes from
``A-Z a-z 0-9 _ . - :`` with a u8 length; byte strings carry a u32 length.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field

import nacl.exceptions
import nacl.signing

TX_HASH_DOMAIN = b"ehrchain/tx/v1\x00"
HEADER_HASH_DOMAIN = b"ehrchain/header/v1\x00"
TX_TAG = 0x01
HEADER_TAG = 0x02
BLOCK_TAG = 0x03
MAX_SAFE = 2**53 - 1
_ID = re.compile(rb"^[A-Za-z0-9_.\-:]{1,255}$")


class EncodingError(ValueError):
    """Bytes or values that have no canonical encoding."""


def _id(s: str) -> bytes:
    b = s.encode("ascii")
    if not _ID.match(b):
        raise EncodingError(f"not an identifier: {s!r}")
    return bytes([len(b)]) + b


def _u64(n: int) -> bytes:
    if not 0 <= n <= MAX_SAFE:
        raise EncodingError(f"u64 out of range (must be < 2^53): {n}")
    return struct.pack(">Q", n)


@dataclass(frozen=True)
class TxBody:
    """The signed part of a transaction."""

    chain_id: str
    sender: bytes
    nonce: int
    gas_limit: int
    contract: str
    method: str
    args: list[bytes] = field(default_factory=list)

    def encode(self) -> bytes:
        if len(self.sender) != 32:
            raise EncodingError("sender must be a 32-byte ed25519 public key")
        if len(self.args) > 0xFFFF:
            raise EncodingError("too many args")
        out = [bytes([TX_TAG]), _id(self.chain_id), self.sender, _u64(self.nonce), _u64(self.gas_limit)]
        out += [_id(self.contract), _id(self.method), struct.pack(">H", len(self.args))]
        for a in self.args:
            out.append(struct.pack(">I", len(a)) + a)
        return b"".join(out)


def tx_hash(body_bytes: bytes) -> bytes:
    """sha256("ehrchain/tx/v1" 0x00 || body): the tx id and the signed message."""
    return hashlib.sha256(TX_HASH_DOMAIN + body_bytes).digest()


@dataclass(frozen=True)
class SignedTx:
    body: TxBody
    hash: bytes
    signature: bytes

    @property
    def bytes(self) -> bytes:
        return self.body.encode() + self.signature

    @property
    def hash_hex(self) -> str:
        return self.hash.hex()


class Signer:
    """An ed25519 key from its 32-byte seed (RFC 8032)."""

    def __init__(self, seed: bytes):
        self._key = nacl.signing.SigningKey(seed)
        self.public_key = bytes(self._key.verify_key)

    def sign_tx(self, body: TxBody) -> SignedTx:
        h = tx_hash(body.encode())
        return SignedTx(body, h, self._key.sign(h).signature)


def verify_signature(message: bytes, signature: bytes, public_key: bytes) -> bool:
    """The nodes' rules (docs/transactions.md#signature-verification) are libsodium's."""
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False


def encode_batch(txs: list[bytes]) -> bytes:
    """The POST /v1/txs frame: u16 count, then u32 length || signed tx per tx."""
    if not 1 <= len(txs) <= 0xFFFF:
        raise EncodingError("a batch holds 1..65535 txs")
    return struct.pack(">H", len(txs)) + b"".join(struct.pack(">I", len(t)) + t for t in txs)


class _Reader:
    def __init__(self, b: bytes):
        self.b, self.i = b, 0

    def take(self, n: int) -> bytes:
        if self.i + n > len(self.b):
            raise EncodingError("truncated")
        out = self.b[self.i : self.i + n]
        self.i += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def u64(self) -> int:
        n = struct.unpack(">Q", self.take(8))[0]
        if n > MAX_SAFE:
            raise EncodingError("u64 >= 2^53")
        return n

    def id(self) -> str:
        s = self.take(self.u8())
        if not _ID.match(s):
            raise EncodingError("bad identifier")
        return s.decode("ascii")

    def end(self) -> None:
        if self.i != len(self.b):
            raise EncodingError("trailing bytes")


def decode_batch(frame: bytes) -> list[bytes]:
    r = _Reader(frame)
    txs = [r.take(r.u32()) for _ in range(r.u16())]
    r.end()
    return txs


def _read_body(r: _Reader) -> TxBody:
    if r.u8() != TX_TAG:
        raise EncodingError("not a tx body")
    chain_id, sender, nonce, gas = r.id(), r.take(32), r.u64(), r.u64()
    contract, method = r.id(), r.id()
    args = [r.take(r.u32()) for _ in range(r.u16())]
    return TxBody(chain_id, sender, nonce, gas, contract, method, args)


def decode_signed_tx(b: bytes) -> SignedTx:
    r = _Reader(b)
    body = _read_body(r)
    end_of_body = r.i
    sig = r.take(64)
    r.end()
    return SignedTx(body, tx_hash(b[:end_of_body]), sig)


@dataclass(frozen=True)
class Block:
    chain_id: str
    height: int
    parent_hash: bytes
    tx_root: bytes
    state_height: int
    state_root: bytes
    proposer: bytes
    term: int
    time: int
    tx_count: int
    hash: bytes
    signature: bytes
    txs: list[SignedTx]


def decode_block(b: bytes) -> Block:
    """A block's canonical bytes (GET /v1/blocks/:height/raw) to its fields; hashes the header."""
    r = _Reader(b)
    if r.u8() != BLOCK_TAG:
        raise EncodingError("not a block")
    start = r.i
    if r.u8() != HEADER_TAG:
        raise EncodingError("not a block header")
    chain_id, height, parent, tx_root = r.id(), r.u64(), r.take(32), r.take(32)
    state_height, state_root, proposer = r.u64(), r.take(32), r.take(32)
    term, time, count = r.u64(), r.u64(), r.u32()
    header = b[start : r.i]
    sig = r.take(64)
    txs = [decode_signed_tx(r.take(r.u32())) for _ in range(count)]
    r.end()
    h = hashlib.sha256(HEADER_HASH_DOMAIN + header).digest()
    return Block(chain_id, height, parent, tx_root, state_height, state_root, proposer, term, time, count, h, sig, txs)


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash of the tx hashes (a lone node is carried up, never duplicated)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(b"\x00" + d).digest() for d in leaves]
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]
