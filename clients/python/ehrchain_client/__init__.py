"""A client of the ehrchain node's HTTP API, built from docs/api.md and docs/transactions.md."""

from .client import Account, ApiError, Client
from .encoding import (
    Block,
    EncodingError,
    SignedTx,
    Signer,
    TxBody,
    decode_batch,
    decode_block,
    decode_signed_tx,
    encode_batch,
    merkle_root,
    tx_hash,
    verify_signature,
)

__all__ = [
    "Account",
    "ApiError",
    "Block",
    "Client",
    "EncodingError",
    "SignedTx",
    "Signer",
    "TxBody",
    "decode_batch",
    "decode_block",
    "decode_signed_tx",
    "encode_batch",
    "merkle_root",
    "tx_hash",
    "verify_signature",
]
