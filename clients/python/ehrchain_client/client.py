"""An HTTP client of an ehrchain node (docs/api.md), on urllib only."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from .encoding import SignedTx, Signer, TxBody, encode_batch


class ApiError(Exception):
    """A 4xx/5xx reply: ``status``, the stable ``code`` and the ``message``."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class Client:
    def __init__(self, url: str, timeout: float = 10.0, busy_retries: int = 6):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.busy_retries = busy_retries

    def _request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path, data=body, method=method)
        if content_type is not None:
            req.add_header("content-type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                return res.status, res.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                err = json.loads(raw)["error"]
                code, message = err["code"], err["message"]
            except (ValueError, KeyError, TypeError):
                code, message = "http_error", raw.decode("utf-8", "replace")
            ra = e.headers.get("retry-after")
            raise ApiError(e.code, code, message, float(ra) if ra else None) from None

    def _json(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        _, raw = self._request(method, path, data, None if body is None else "application/json")
        return json.loads(raw)

    # Reads

    def status(self) -> dict:
        return self._json("GET", "/v1/status")

    def chain_id(self) -> str:
        return self.status()["chainId"]

    def account(self, public_key: bytes) -> dict:
        return self._json("GET", f"/v1/accounts/{public_key.hex()}")

    def get_tx(self, tx_hash: str) -> dict | None:
        """The tx view, or None when this node knows no such tx (404 not_found)."""
        try:
            return self._json("GET", f"/v1/tx/{tx_hash}")
        except ApiError as e:
            if e.status == 404 and e.code == "not_found":
                return None
            raise

    def get_block(self, height: int) -> dict:
        return self._json("GET", f"/v1/blocks/{height}")

    def get_block_raw(self, height: int) -> bytes:
        return self._request("GET", f"/v1/blocks/{height}/raw")[1]

    def get_blocks(self, start: int, limit: int = 20) -> dict:
        return self._json("GET", f"/v1/blocks?from={start}&limit={limit}")

    def query(self, contract: str, method: str, args: list[bytes] | None = None) -> dict:
        """The query reply: read ``value`` (hex, or None when the query reverted; ``error`` says why)."""
        q = "" if not args else "?args=" + ",".join(a.hex() for a in args)
        return self._json("GET", f"/v1/query/{contract}/{method}{q}")

    def query_value(self, contract: str, method: str, args: list[bytes] | None = None) -> bytes | None:
        """The value as bytes, or None when the query found nothing (reverted)."""
        v = self.query(contract, method, args)["value"]
        return None if v is None else bytes.fromhex(v)

    # Writes

    def _busy(self, send):
        # 503 (mempool_full, overloaded): nothing was admitted, so the same bytes are sent again.
        for attempt in range(self.busy_retries + 1):
            try:
                return send()
            except ApiError as e:
                if e.status != 503 or attempt == self.busy_retries:
                    raise
                time.sleep(min(e.retry_after or 1.0, 5.0))
        raise AssertionError("unreachable")

    def submit(self, tx: SignedTx | bytes) -> str:
        """POST /v1/tx; returns the tx hash (admitted, not yet committed)."""
        raw = tx.bytes if isinstance(tx, SignedTx) else tx
        _, body = self._busy(lambda: self._request("POST", "/v1/tx", raw, "application/octet-stream"))
        return json.loads(body)["hash"]

    def submit_batch(self, txs: list[SignedTx | bytes]) -> dict:
        """POST /v1/txs with the batch frame; returns {accepted, rejected, results}."""
        frame = encode_batch([t.bytes if isinstance(t, SignedTx) else t for t in txs])
        _, body = self._busy(lambda: self._request("POST", "/v1/txs", frame, "application/octet-stream"))
        return json.loads(body)

    def wait_for_receipt(self, tx_hash: str, timeout: float = 30.0) -> dict:
        """Polls GET /v1/tx/:hash until committed; returns the tx view with its receipt."""
        deadline, wait = time.monotonic() + timeout, 0.05
        while True:
            tx = self.get_tx(tx_hash)
            if tx is not None and tx["status"] == "committed":
                return tx
            if time.monotonic() > deadline:
                raise TimeoutError(f"tx {tx_hash} not committed in {timeout} s")
            time.sleep(wait)
            wait = min(wait * 2, 0.5)

    def resubmit_until_committed(self, tx: SignedTx, timeout: float = 30.0) -> dict:
        """docs/api.md "After a timeout": send the same bytes until the tx is committed."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.get_tx(tx.hash_hex)
            if view is not None and view["status"] == "committed":
                return view
            if view is None:
                try:
                    self.submit(tx)
                except ApiError as e:
                    if e.code not in ("duplicate", "nonce_stale"):
                        raise
            if time.monotonic() > deadline:
                raise TimeoutError(f"tx {tx.hash_hex} not committed in {timeout} s")
            time.sleep(0.1)


class Account:
    """A sender numbering its own txs from the committed nonce (docs/api.md#nonces-...)."""

    def __init__(self, signer: Signer, chain_id: str, client: Client):
        self.signer, self.chain_id, self.client = signer, chain_id, client
        self._next: int | None = None

    def build(self, contract: str, method: str, args: list[bytes], gas_limit: int = 100_000) -> SignedTx:
        if self._next is None:
            a = self.client.account(self.signer.public_key)
            self._next = a["nonce"] + a["pending"]
        body = TxBody(self.chain_id, self.signer.public_key, self._next, gas_limit, contract, method, args)
        self._next += 1
        return self.signer.sign_tx(body)
