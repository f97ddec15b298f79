"""Document identity and duplicates: content ids, exact hashes and MinHash signatures.

- `id`: a hash of the item's name (URL, external id, or file name) and its original
  text, so the same file ingested twice gets the same id on any machine, while the
  same text received under another name gets its own id (and is then linked to the
  first as an exact duplicate).
- `content_hash`: a hash of the cleaned text with white space and case folded; equal
  hashes mean exact duplicates.
- `minhash`: a MinHash signature of the cleaned text's word 4-shingles, for near
  duplicates (the same wire story lightly edited). Two documents are near duplicates
  when their estimated Jaccard similarity is at least `NEAR_DUPLICATE_THRESHOLD`.
  The store finds candidates with LSH banding (`BANDS` x `ROWS`).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from storyline.model import Document

SHINGLE = 4
PERMUTATIONS = 128
BANDS, ROWS = 32, 4
NEAR_DUPLICATE_THRESHOLD = 0.6

_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20260312)  # fixed seed: signatures are stable everywhere
_A = _rng.randint(1, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.randint(0, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def document_id(name: str, raw: str) -> str:
    digest = hashlib.sha256(f"{name}\n{raw}".encode()).hexdigest()
    return f"doc-{digest[:16]}"


def content_hash(text: str) -> str:
    folded = " ".join(_WORD.findall(text.casefold()))
    return hashlib.sha256(folded.encode()).hexdigest()


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def minhash(text: str) -> np.ndarray:
    """A MinHash signature (uint32 x PERMUTATIONS) of the text's word shingles."""
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s, digest_size=4).digest(), "little")
         for s in shingles(text)), dtype=np.uint64)
    signature = np.full(PERMUTATIONS, _MAX32, dtype=np.uint64)
    for start in range(0, len(hashes), 4096):
        block = hashes[start:start + 4096]
        values = ((_A[:, None] * block[None, :] + _B[:, None]) % _PRIME) & _MAX32
        signature = np.minimum(signature, values.min(axis=1))
    return signature.astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_keys(signature: np.ndarray) -> list[tuple[int, int]]:
    """LSH buckets `(band, key)` of a signature; keys fit SQLite's signed integers."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS:(band + 1) * ROWS].tobytes()
        keys.append((band, int.from_bytes(hashlib.blake2b(chunk, digest_size=7).digest(),
                                          "little")))
    return keys


def identify(doc: Document) -> Document:
    """Stage: id, exact-content hash and MinHash signature."""
    doc.id = document_id(doc.name, doc.raw)
    doc.content_hash = content_hash(doc.text)
    doc.minhash = minhash(doc.text)
    return doc
