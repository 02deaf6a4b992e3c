"""A live one-validator devnet (the CLI's `init` and `start`, ports on 127.0.0.1): build, sign,
submit, wait, read back, and the error paths of docs/api.md."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from conftest import ROOT, load

from ehrchain_client import Account, ApiError, Client, Signer, TxBody, decode_block

NODE = os.environ.get("EHRCHAIN_NODE") or shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="no node binary to run a devnet")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@pytest.fixture(scope="module")
def node():
    home = tempfile.mkdtemp(prefix="ehrchain-py-")
    http, p2p = free_ports(2)
    bin_ = str(ROOT / "bin" / "ehrchain.mjs")
    subprocess.run([NODE, bin_, "init", "--nodes", "1", "--out", home, "--chain-id", "ehrchain-test",
                    "--http-port", str(http), "--p2p-port", str(p2p)], check=True, cwd=ROOT, capture_output=True)
    log = open(os.path.join(home, "node.log"), "wb")
    proc = subprocess.Popen([NODE, bin_, "start", "--home", os.path.join(home, "node1")], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "EHRCHAIN_LOG_PRETTY": "0"})
    client = Client(f"http://127.0.0.1:{http}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.status()["role"] == "leader":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the node did not start: " + open(os.path.join(home, "node.log")).read()[-2000:])
            time.sleep(0.2)
        yield client
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def account(client, name):
    # Synthetic keys: a seed derived from a test name.
    import hashlib
    return Account(Signer(hashlib.sha256(b"py-client/" + name.encode()).digest()), client.chain_id(), client)


def test_status_gives_the_chain_id_and_the_leader_among_validators(node):
    st = node.status()
    assert st["chainId"] == "ehrchain-test"
    assert st["leader"] in [v["peerId"] for v in st["validators"]]


def test_kv_put_commits_and_reads_back(node):
    a = account(node, "writer")
    tx = a.build("kv", "put", [b"py-key", b"py-value"])
    assert node.submit(tx) == tx.hash_hex
    view = node.wait_for_receipt(tx.hash_hex)
    assert view["receipt"]["status"] == "ok"
    assert node.query_value("kv", "get", [b"py-key"]) == b"py-value"
    # The raw block holds the tx, hashes to the block's hash, and names the chain.
    raw = decode_block(node.get_block_raw(view["height"]))
    blk = node.get_block(view["height"])
    assert raw.hash.hex() == blk["hash"] and raw.chain_id == blk["chainId"] == "ehrchain-test"
    assert tx.hash_hex in [t.hash.hex() for t in raw.txs]
    # Sending the same bytes again is refused as stale: the nonce is used.
    with pytest.raises(ApiError) as e:
        node.submit(tx)
    assert (e.value.status, e.value.code) == (409, "nonce_stale")
    assert node.account(a.signer.public_key) == {"nonce": 1, "pending": 0}


def test_a_missing_key_is_null_not_empty(node):
    r = node.query("kv", "get", [b"py-no-such-key"])
    assert (r["status"], r["error"], r["value"]) == ("reverted", "not_found", None)
    a = account(node, "empty")
    tx = a.build("kv", "put", [b"py-empty", b""])
    node.submit(tx)
    node.wait_for_receipt(tx.hash_hex)
    assert node.query_value("kv", "get", [b"py-empty"]) == b""


def test_bad_signature_is_401(node):
    a = account(node, "forger")
    tx = a.build("kv", "put", [b"k", b"v"])
    bad = tx.bytes[:-1] + bytes([tx.bytes[-1] ^ 1])
    with pytest.raises(ApiError) as e:
        node.submit(bad)
    assert (e.value.status, e.value.code) == (401, "bad_signature")


def test_each_refused_signature_vector_is_refused_by_the_node(node):
    for c in load("signatures.json")["cases"]:
        if c["nodesAccept"]:
            continue
        with pytest.raises(ApiError) as e:
            node.submit(bytes.fromhex(c["signedTx"]))
        assert (c["name"], e.value.status, e.value.code) == (c["name"], 401, "bad_signature")


def test_wrong_chain_and_unknown_tx_and_unknown_contract(node):
    s = Signer(bytes(range(32)))
    other = s.sign_tx(TxBody("other-chain", s.public_key, 0, 1000, "kv", "put", [b"k", b"v"]))
    with pytest.raises(ApiError) as e:
        node.submit(other)
    assert (e.value.status, e.value.code) == (400, "wrong_chain")
    assert node.get_tx("ab" * 32) is None
    with pytest.raises(ApiError) as e:
        node.query("nosuch", "get")
    assert (e.value.status, e.value.code) == (404, "unknown_contract")


def test_batch_then_recovery_by_resending_the_same_bytes(node):
    a = account(node, "batcher")
    txs = [a.build("kv", "put", [f"py-b{i}".encode(), b"v"]) for i in range(3)]
    r = node.submit_batch(txs)
    assert (r["accepted"], r["rejected"]) == (3, 0)
    assert [x["hash"] for x in r["results"]] == [t.hash_hex for t in txs]
    # As after a timeout: resend the last one until it is committed (duplicate, then nonce_stale).
    assert node.resubmit_until_committed(txs[-1])["receipt"]["status"] == "ok"
    with pytest.raises(ApiError) as e:
        node.submit(txs[0])
    assert e.value.code in ("nonce_stale", "duplicate")


def test_unknown_contract_tx_is_admitted_and_reverts_consuming_the_nonce(node):
    a = account(node, "lost")
    tx = a.build("nosuch", "put", [b"k"])
    node.submit(tx)
    view = node.wait_for_receipt(tx.hash_hex)
    assert (view["receipt"]["status"], view["receipt"]["error"]) == ("reverted", "unknown_contract")
    assert node.account(a.signer.public_key)["nonce"] == 1
