import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))
VECTORS = ROOT / "docs" / "vectors"


def load(name: str):
    return json.loads((VECTORS / name).read_text())
