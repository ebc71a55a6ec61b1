"""tomes.Fst against independent models: a dict and a sorted list for the
mapping, a brute-force Levenshtein over every key for fuzzy, the bytes
themselves for round trips, damage and determinism."""

from __future__ import annotations

import gc
import itertools
import os
import random
import re
import struct
import threading
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tomes import CorruptIndexError, Fst

MAX = 2**64 - 1


# --- independent models ------------------------------------------------------

def units(key):
    """The units fuzzy counts in: code points, and one per byte that is not UTF-8."""
    return key.decode("utf-8", "surrogateescape")


def levenshtein(a, b):
    """Textbook edit distance between two sequences."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def osa(a, b):
    """Optimal string alignment: Levenshtein plus one edit for a swap of two
    adjacent units, no unit edited twice (the whole textbook matrix)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def brute_fuzzy(model, term, distance, transpositions=False):
    """(key, value, distance) for every key of the model within distance, in key order."""
    term_units = units(term)
    measure = osa if transpositions else levenshtein
    hits = []
    for key in sorted(model):
        d = measure(units(key), term_units)
        if d <= distance:
            hits.append((key, model[key], d))
    return hits


class BruteIndex:
    """Brute-force Levenshtein over many keys at once, vectorized with numpy.

    Keys are grouped by their length in units; only groups within the bound of
    the term's length can hold a hit (the distance is at least the length
    difference), and every key of those groups is compared in full.
    """

    def __init__(self, keys):
        self.keys = keys
        by_length = {}
        for ordinal, key in enumerate(keys):
            by_length.setdefault(len(units(key)), []).append(ordinal)
        self.groups = {}
        for length, ordinals in by_length.items():
            codes = np.array([[ord(u) for u in units(keys[o])] for o in ordinals],
                             dtype=np.int32).reshape(len(ordinals), length)
            self.groups[length] = (codes, np.array(ordinals, dtype=np.int64))

    def search(self, term, distance):
        """[(ordinal, distance)] of the keys within distance of term, in key order."""
        t = np.array([ord(u) for u in units(term)], dtype=np.int32)
        m = len(t)
        steps = np.arange(m + 1, dtype=np.int32)
        hits = []
        for length in range(max(0, m - distance), m + distance + 1):
            if length not in self.groups:
                continue
            codes, ordinals = self.groups[length]
            row = np.broadcast_to(steps, (len(ordinals), m + 1)).copy()
            for j in range(length):
                if len(ordinals) == 0:
                    break
                mismatch = (codes[:, j:j + 1] != t[None, :]).astype(np.int32)
                diagonal_or_up = np.empty_like(row)
                diagonal_or_up[:, 0] = j + 1
                diagonal_or_up[:, 1:] = np.minimum(row[:, 1:] + 1, row[:, :-1] + mismatch)
                # Insertions along the row: cur[i] = min over k <= i of tmp[k] + (i - k).
                row = np.minimum.accumulate(diagonal_or_up - steps, axis=1) + steps
                alive = row.min(axis=1) <= distance
                if not alive.all():
                    row, codes, ordinals = row[alive], codes[alive], ordinals[alive]
            near = row[:, m] <= distance
            hits.extend(zip(ordinals[near].tolist(), row[near, m].tolist()))
        return sorted(hits)


def sorted_items(model):
    return sorted(model.items())


# --- strategies --------------------------------------------------------------

# Few distinct bytes, so keys are often prefixes of one another; 0xFF included.
narrow_bytes = st.lists(st.sampled_from([0x00, 0x01, 0x61, 0x62, 0x7F, 0x80, 0xFE, 0xFF]),
                        max_size=6).map(bytes)
text_keys = st.text(max_size=8).map(lambda s: s.encode("utf-8"))
any_key = st.one_of(st.binary(max_size=12), narrow_bytes, text_keys)
any_value = st.one_of(st.integers(0, MAX), st.sampled_from([0, 1, MAX, MAX - 1, 2**63, 2**32]))
models = st.dictionaries(any_key, any_value, max_size=40)

# Pieces whose concatenations mix ASCII, multi-byte characters, a combining
# mark, and bytes that are not UTF-8 (lone leads and continuations, a
# truncated sequence, an encoded surrogate); neighbours can fuse into a valid
# sequence (b"\xe2\x82" + b"\xac" is "€").
FRAGMENTS = [b"a", b"b", b"e", "é".encode(), "€".encode(), "😀".encode(), "\u0301".encode(),
             b"\xff", b"\x80", b"\xac", b"\xe2\x82", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f"]
fragment_keys = st.lists(st.sampled_from(FRAGMENTS), max_size=5).map(b"".join)


# --- the mapping -------------------------------------------------------------

@settings(max_examples=250, deadline=None)
@given(model=models, probes=st.lists(any_key, max_size=10))
def test_mapping_equals_dict(model, probes):
    """len, in, [], get, and the four iterations equal a dict and its sorted items."""
    fst = Fst.build(sorted_items(model))
    expected = sorted_items(model)
    assert len(fst) == len(model)
    assert list(fst.items()) == expected
    assert list(fst) == list(fst.keys()) == [k for k, _ in expected]
    assert list(fst.values()) == [v for _, v in expected]
    for key, value in model.items():
        assert key in fst
        assert fst[key] == value
        assert fst.get(key) == value
        assert fst.get(key, "absent") == value
        assert fst[bytearray(key)] == value
    for probe in probes:
        assert (probe in fst) == (probe in model)
        assert fst.get(probe) == model.get(probe)
        assert fst.get(probe, "absent") == model.get(probe, "absent")
        if probe not in model:
            with pytest.raises(KeyError) as info:
                fst[probe]
            assert info.value.args == (repr(probe),)


def bounds(model):
    """A bound: None, a key of the model, a prefix or extension of one, or anything."""
    keys = sorted(model) or [b""]
    near = st.sampled_from(keys).flatmap(
        lambda k: st.sampled_from([k, k[:-1], k + b"\x00", k + b"\xff", k[:1]]))
    return st.one_of(st.none(), near, any_key)


@settings(max_examples=250, deadline=None)
@given(data=st.data(), model=models)
def test_range_equals_sorted_slice(data, model):
    """range(ge, lt) is the sorted items with ge <= key < lt, for any bounds."""
    fst = Fst.build(sorted_items(model))
    for _ in range(5):
        ge = data.draw(bounds(model), label="ge")
        lt = data.draw(bounds(model), label="lt")
        expected = [(k, v) for k, v in sorted_items(model)
                    if (ge is None or k >= ge) and (lt is None or k < lt)]
        assert list(fst.range(ge, lt)) == expected
        assert list(fst.range(ge=ge, lt=lt)) == expected


@settings(max_examples=250, deadline=None)
@given(data=st.data(), model=models)
def test_prefix_equals_filter(data, model):
    """prefix(p) is the sorted items whose key starts with p (p of 0xFF bytes too)."""
    fst = Fst.build(sorted_items(model))
    keys = sorted(model) or [b""]
    prefixes = st.one_of(
        st.sampled_from(keys).flatmap(lambda k: st.integers(0, len(k)).map(lambda n: k[:n])),
        any_key,
        st.integers(0, 3).map(lambda n: b"\xff" * n),
        st.sampled_from(keys).map(lambda k: k + b"\xff"),
    )
    for _ in range(5):
        p = data.draw(prefixes, label="prefix")
        assert list(fst.prefix(p)) == [(k, v) for k, v in sorted_items(model) if k.startswith(p)]


@settings(max_examples=150, deadline=None)
@given(model=st.dictionaries(st.text(max_size=8), any_value, max_size=30),
       probes=st.lists(st.text(max_size=8), max_size=8))
def test_str_and_bytes_keys_agree(model, probes):
    """str keys (built and queried) mean their UTF-8 bytes, everywhere."""
    ordered = sorted(model.items(), key=lambda kv: kv[0].encode("utf-8"))
    fst = Fst.build(ordered)
    same = Fst.build([(k.encode("utf-8"), v) for k, v in ordered])
    assert fst.to_bytes() == same.to_bytes()
    assert list(fst.items()) == [(k.encode("utf-8"), v) for k, v in ordered]
    for s in list(model) + probes:
        b = s.encode("utf-8")
        assert (s in fst) == (b in fst) == (s in model)
        assert fst.get(s, -1) == fst.get(b, -1) == model.get(s, -1)
        assert list(fst.prefix(s)) == list(fst.prefix(b))
        assert list(fst.range(ge=s)) == list(fst.range(ge=b))
        assert list(fst.range(lt=s)) == list(fst.range(lt=b))
        assert fst.fuzzy(s, 1) == fst.fuzzy(b, 1)


def test_empty_fst():
    """No keys: everything is empty, nothing is found."""
    fst = Fst.build([])
    assert len(fst) == 0
    assert list(fst) == list(fst.values()) == list(fst.items()) == []
    assert list(fst.range(b"a", b"z")) == list(fst.prefix(b"")) == []
    assert fst.fuzzy(b"", 2) == []
    assert b"" not in fst and fst.get(b"") is None
    with pytest.raises(KeyError):
        fst[b""]
    assert len(Fst.from_bytes(fst.to_bytes())) == 0


def test_empty_key_and_extreme_values():
    """The empty key, 0xFF keys, and values 0 and 2**64-1 side by side."""
    pairs = [(b"", MAX), (b"\x00", 0), (b"a", MAX), (b"ab", 0), (b"abc", MAX - 1),
             (b"\xff", 2**63), (b"\xff\xff", MAX), (b"\xff\xff\xff", 0)]
    fst = Fst.build(pairs)
    assert list(fst.items()) == pairs
    assert fst[b""] == MAX and fst[b"\xff\xff"] == MAX and fst[b"\xff\xff\xff"] == 0
    assert list(fst.prefix(b"\xff")) == pairs[5:]
    assert list(fst.prefix(b"\xff\xff")) == pairs[6:]
    assert list(fst.prefix(b"")) == pairs
    assert list(fst.range(ge=b"\xff\xff")) == pairs[6:]
    assert list(fst.range(b"a", b"ab")) == [(b"a", MAX)]
    assert list(fst.range(b"b", b"a")) == []


def test_wide_and_deep_nodes():
    """A node with all 256 transitions, random values of every width, and keys
    thousands of bytes long."""
    rng = random.Random(5)
    model = {bytes([b]): rng.randrange(2**rng.randint(1, 64)) for b in range(256)}
    model.update({bytes([b, c]): rng.randrange(2**64) for b in (0, 97, 255) for c in range(256)})
    long_text = "".join(rng.choice("abcé€😀") for _ in range(3000))
    long_key = long_text.encode()
    model[long_key] = MAX
    model[long_text[:-1].encode()] = 0
    model[b"x" * 5000] = 1
    pairs = sorted_items(model)
    fst = Fst.build(pairs)
    assert list(fst.items()) == pairs
    assert all(fst[k] == v for k, v in pairs)
    assert list(fst.prefix(long_key[:100])) == [(long_text[:-1].encode(), 0), (long_key, MAX)]
    assert list(fst.prefix(b"\xff")) == [(k, v) for k, v in pairs if k[:1] == b"\xff"]
    assert list(fst.range(b"a", b"b")) == [(k, v) for k, v in pairs if b"a" <= k < b"b"]
    term = long_text[:-2].encode()
    assert fst.fuzzy(term, 1) == [(long_text[:-1].encode(), 0, 1)]
    assert fst.fuzzy(term, 2) == [(long_text[:-1].encode(), 0, 1), (long_key, MAX, 2)]
    assert fst.fuzzy(long_text[:-1] + "x", 1) == [(long_text[:-1].encode(), 0, 1), (long_key, MAX, 1)]
    assert fst.fuzzy(b"x" * 4999 + b"y", 2) == [(b"x" * 5000, 1, 1)]
    assert fst.fuzzy(b"\x00", 1) == brute_fuzzy(model, b"\x00", 1)


def test_other_types_are_not_keys():
    """`in` is False for a non-key type; [] and get raise TypeError naming the type."""
    fst = Fst.build([(b"1", 1)])
    assert 1 not in fst and None not in fst and (b"1",) not in fst
    with pytest.raises(TypeError, match="key must be bytes or str, not int"):
        fst[1]
    with pytest.raises(TypeError, match="key must be bytes or str, not NoneType"):
        fst.get(None)
    with pytest.raises(TypeError, match="must be bytes or str"):
        list(fst.range(ge=1))


def test_iterators_are_independent_and_keep_the_fst_alive():
    """Interleaved iterators each see every item; an iterator outlives its Fst's name."""
    pairs = [(bytes([i]), i) for i in range(200)]
    fst = Fst.build(pairs)
    a, b = fst.items(), fst.items()
    assert [next(a) for _ in range(3)] == pairs[:3]
    assert list(b) == pairs
    assert list(a) == pairs[3:]
    it = Fst.from_bytes(Fst.build(pairs).to_bytes()).values()
    gc.collect()
    assert list(it) == list(range(200))


def test_repr_and_source(tmp_path):
    """repr gives the count and the source: <bytes> or the path opened."""
    fst = Fst.build([(b"a", 1), (b"b", 2)])
    assert fst.source == "<bytes>"
    assert repr(fst) == "<tomes.Fst of 2 keys from <bytes>>"
    path = tmp_path / "two.fst"
    fst.save(path)
    assert Fst.open(path).source == str(path)
    assert repr(Fst.open(str(path))) == f"<tomes.Fst of 2 keys from {path}>"


# --- fuzzy -------------------------------------------------------------------

def test_fuzzy_hand_computed():
    """Distance counts code points, and a byte that is not UTF-8 as one unit."""
    pairs = [(b"ab", 0), (b"ab\xff", 1), ("cafe".encode(), 2), ("cafe\u0301".encode(), 3),
             ("café".encode(), 4), ("cafés".encode(), 5), (b"\xe2\x82", 6), ("€".encode(), 7),
             ("a😀b".encode(), 8)]
    pairs.sort()
    fst = Fst.build(pairs)
    value = dict(pairs)

    def hits(term, d):
        return {k.decode("utf-8", "surrogateescape"): dist for k, _, dist in fst.fuzzy(term, d)}

    # "é" is one substitution from "e" (it is 2 bytes); "e" + U+0301 is 2 units.
    assert hits("cafe", 1) == {"cafe": 0, "café": 1, "cafe\u0301": 1}
    assert hits("café", 1) == {"café": 0, "cafe": 1, "cafés": 1}
    assert hits("café", 2)["cafe\u0301"] == 2
    # 😀 is one unit (4 bytes); 0xFF is one unit.
    assert hits("ab", 1) == {"ab": 0, "ab\udcff": 1, "a😀b": 1}
    assert hits(b"a\xffb", 1)["a😀b"] == 1 and hits(b"a\xffb", 1)["ab"] == 1
    # b"\xe2\x82" is two units; "€" (e2 82 ac) is one: substitute and delete.
    assert hits("€", 1) == {"€": 0}
    assert hits("€", 2) == {"€": 0, "\udce2\udc82": 2, "ab": 2}
    assert hits(b"\xe2\x82", 1) == {"\udce2\udc82": 0}
    assert hits(b"\xe2\x82\xac\xac", 1) == {"€": 1}
    # results are (key, value, distance) in key order
    result = fst.fuzzy("cafe", 1)
    assert result == sorted(result)
    assert all(value[k] == v for k, v, _ in result)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=st.dictionaries(fragment_keys, any_value, max_size=25), data=st.data())
def test_fuzzy_equals_brute_force(model, data):
    """fuzzy(term, d) for d = 0, 1, 2 is the brute-force Levenshtein over every key."""
    fst = Fst.build(sorted_items(model))
    keys = sorted(model) or [b""]
    term = data.draw(st.one_of(fragment_keys, st.sampled_from(keys),
                               st.sampled_from(keys).flatmap(lambda k: st.integers(0, len(k)).map(
                                   lambda n: k[:n] + k[n + 1:]))), label="term")
    for distance in (0, 1, 2):
        assert fst.fuzzy(term, distance) == brute_fuzzy(model, term, distance)
    assert fst.fuzzy(term) == brute_fuzzy(model, term, 1)


@settings(max_examples=100, deadline=None)
@given(model=st.dictionaries(st.text(alphabet="abé€😀\u0301", max_size=5), any_value, max_size=25),
       term=st.text(alphabet="abé€😀\u0301x", max_size=6))
def test_fuzzy_str_terms_equal_brute_force(model, term):
    """A str term is its UTF-8 bytes; distances in code points."""
    encoded = {k.encode(): v for k, v in model.items()}
    fst = Fst.build(sorted_items(encoded))
    for distance in (0, 1, 2):
        assert fst.fuzzy(term, distance) == brute_fuzzy(encoded, term.encode(), distance)


def test_fuzzy_transpositions_hand_computed():
    """An adjacent swap is one edit with transpositions=True, two without;
    OSA never edits a unit twice ("ca" is 3 from "abc", where unrestricted
    Damerau-Levenshtein says 2)."""
    pairs = sorted([(b"whale", 0), (b"wale", 1), (b"while", 2), (b"abc", 3), (b"ac", 4),
                    ("café".encode(), 5), ("cfaé".encode(), 6), (b"\xff\xc3", 7)])
    fst = Fst.build(pairs)

    def hits(term, d, transpositions):
        return {k: dist for k, _, dist in fst.fuzzy(term, d, transpositions=transpositions)}

    assert hits("wahle", 1, True) == {b"wale": 1, b"whale": 1}
    assert hits("wahle", 1, False) == {b"wale": 1}
    assert hits("wahle", 2, False) == {b"wale": 1, b"whale": 2, b"while": 2}
    assert osa("ca", "abc") == 3
    assert b"abc" not in hits("ca", 2, True)
    assert hits("ca", 1, True) == {b"ac": 1}
    assert hits("cfaé", 1, True) == {"café".encode(): 1, "cfaé".encode(): 0}
    assert hits(b"\xc3\xff", 1, True) == {b"\xff\xc3": 1}
    assert hits(b"\xc3\xff", 1, False) == {}
    assert fst.fuzzy("wahle", 1) == fst.fuzzy("wahle", 1, transpositions=False)


@pytest.mark.parametrize("value", [1, None, "yes"])
def test_fuzzy_transpositions_must_be_a_bool(value):
    fst = Fst.build(PAIRS)
    with pytest.raises(TypeError, match="transpositions must be True or False"):
        fst.fuzzy(b"whale", 1, transpositions=value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=st.dictionaries(fragment_keys, any_value, max_size=25), data=st.data())
def test_fuzzy_transpositions_equal_brute_force_osa(model, data):
    """fuzzy(term, d, transpositions=True) for d = 0, 1, 2 is the brute-force
    OSA distance over every key; terms include keys with two units swapped."""
    fst = Fst.build(sorted_items(model))
    keys = sorted(model) or [b""]

    def swapped(key):
        u = units(key)
        return st.integers(0, max(len(u) - 2, 0)).map(
            lambda i: (u[:i] + u[i + 1:i + 2] + u[i:i + 1] + u[i + 2:]).encode("utf-8", "surrogateescape"))

    term = data.draw(st.one_of(fragment_keys, st.sampled_from(keys),
                               st.sampled_from(keys).flatmap(swapped)), label="term")
    for distance in (0, 1, 2):
        assert fst.fuzzy(term, distance, transpositions=True) == brute_fuzzy(model, term, distance, True)


def test_brute_index_equals_textbook_levenshtein():
    """The vectorized brute force used below agrees with the textbook one."""
    rng = random.Random(7)
    alphabet = ["a", "b", "c", "é", "😀"]
    keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))).encode()
                   for _ in range(400)})
    index = BruteIndex(keys)
    for _ in range(40):
        term = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))).encode()
        for d in (0, 1, 2):
            expected = [(i, levenshtein(units(k), units(term))) for i, k in enumerate(keys)]
            assert index.search(term, d) == [(i, x) for i, x in expected if x <= d]


# --- round trips -------------------------------------------------------------

PAIRS = [(w.encode(), i) for i, w in enumerate(sorted(
    ["whale", "whaler", "whales", "wheel", "ship", "shipment", "a", "", "zebra", "café", "€uro"],
    key=lambda s: s.encode()))]


@settings(max_examples=100, deadline=None)
@given(model=models)
def test_bytes_round_trip_and_determinism(model):
    """from_bytes(to_bytes()) is the same map; equal input gives equal bytes."""
    pairs = sorted_items(model)
    fst = Fst.build(pairs)
    data = fst.to_bytes()
    assert isinstance(data, bytes)
    assert Fst.build(pairs).to_bytes() == data
    assert Fst.build(iter(pairs)).to_bytes() == data
    again = Fst.from_bytes(data)
    assert list(again.items()) == pairs
    assert again.to_bytes() == data


def test_buffers_are_copied():
    """bytearray and memoryview are read, and copied: changing them later changes nothing."""
    data = Fst.build(PAIRS).to_bytes()
    buffer = bytearray(data)
    from_bytearray = Fst.from_bytes(buffer)
    from_view = Fst.from_bytes(memoryview(buffer))
    buffer[:] = bytes(len(buffer))
    for fst in (from_bytearray, from_view):
        assert list(fst.items()) == PAIRS
        assert fst.to_bytes() == data


def test_save_and_open(tmp_path):
    """save writes to_bytes() exactly, with no temporary left; open maps it back."""
    fst = Fst.build(PAIRS)
    path = tmp_path / "terms.fst"
    fst.save(path)
    assert path.read_bytes() == fst.to_bytes()
    assert os.listdir(tmp_path) == ["terms.fst"]
    for name in (path, str(path), os.fsencode(path)):
        opened = Fst.open(name)
        assert list(opened.items()) == PAIRS
        assert opened.to_bytes() == fst.to_bytes()
        assert opened[b"whale"] == dict(PAIRS)[b"whale"]
        assert opened.fuzzy("whale", 1) == fst.fuzzy("whale", 1)
    # save overwrites; an Fst mapped before keeps the old content (rename, not rewrite)
    before = Fst.open(path)
    Fst.build([(b"other", 1)]).save(path)
    assert list(Fst.open(path).items()) == [(b"other", 1)]
    assert list(before.items()) == PAIRS
    assert os.listdir(tmp_path) == ["terms.fst"]


def test_build_to_path(tmp_path):
    """build(path=) writes the same bytes as the in-memory build, returns it mapped,
    and leaves only the final file."""
    pairs = [(f"{i:06d}".encode(), i * 7) for i in range(100_000)]  # several chunks
    path = tmp_path / "big.fst"
    fst = Fst.build((p for p in pairs), path=path)
    assert path.exists()
    assert os.listdir(tmp_path) == ["big.fst"]
    assert fst.source == str(path)
    memory = Fst.build(pairs)
    assert path.read_bytes() == memory.to_bytes() == fst.to_bytes()
    assert len(fst) == 100_000 and fst[b"054321"] == 54321 * 7
    assert list(fst.items()) == pairs


def test_build_from_generator_and_other_iterables():
    """Any iterable of pairs, consumed once; pairs may be lists; keys bytearray or str."""
    consumed = []

    def generate():
        for key, value in PAIRS:
            consumed.append(key)
            yield key, value

    expected = Fst.build(PAIRS).to_bytes()
    assert Fst.build(generate()).to_bytes() == expected
    assert consumed == [k for k, _ in PAIRS]
    assert Fst.build([[k, v] for k, v in PAIRS]).to_bytes() == expected
    assert Fst.build(tuple((bytearray(k), v) for k, v in PAIRS)).to_bytes() == expected
    assert Fst.build([(k.decode(), v) for k, v in PAIRS]).to_bytes() == expected
    assert Fst.build(dict(PAIRS).items()).to_bytes() == expected


# --- errors ------------------------------------------------------------------

def test_unsorted_keys_name_both():
    with pytest.raises(ValueError, match=re.escape("keys out of order: b'a' after b'b'")):
        Fst.build([(b"b", 1), (b"a", 2)])
    with pytest.raises(ValueError, match=re.escape("keys out of order: b'ab' after b'abc'")):
        Fst.build([(b"abc", 1), (b"ab", 2)])
    # str keys compare by their UTF-8 bytes: "é" (c3 a9) > "z"
    with pytest.raises(ValueError, match="keys out of order"):
        Fst.build([("é", 1), ("z", 2)])
    # found far into the input, past the first chunk
    pairs = [(f"{i:06d}".encode(), i) for i in range(50_000)]
    pairs.insert(40_000, (b"000001x", 0))
    with pytest.raises(ValueError, match=re.escape("keys out of order: b'000001x' after b'039999'")):
        Fst.build(pairs)


def test_duplicate_key():
    with pytest.raises(ValueError, match=re.escape("duplicate key: b'a'")):
        Fst.build([(b"a", 1), (b"a", 2)])
    with pytest.raises(ValueError, match="duplicate key"):
        Fst.build([(b"", 1), ("", 2)])
    with pytest.raises(ValueError, match="duplicate key"):
        Fst.build([(b"x", 1), ("x", 1)])


@pytest.mark.parametrize("value", [-1, 2**64, 2**100, -(2**64)])
def test_value_out_of_range(value):
    with pytest.raises(ValueError, match=re.escape(f"values must be integers in [0, 2**64), got {value}")):
        Fst.build([(b"a", 0), (b"key", value)])


@pytest.mark.parametrize("value", [1.0, "1", None, b"1"])
def test_value_not_int(value):
    with pytest.raises(TypeError, match=f"values must be int, not {type(value).__name__}"):
        Fst.build([(b"key", value)])


@pytest.mark.parametrize("key", [1, None, 1.5, memoryview(b"a"), (b"a",)])
def test_key_not_bytes_or_str(key):
    with pytest.raises(TypeError, match=f"keys must be bytes or str, not {type(key).__name__}"):
        Fst.build([(key, 1)])


@pytest.mark.parametrize("item", [b"ab", "ab", (b"a",), (b"a", 1, 2), 5, None, [b"a"]])
def test_item_not_a_pair(item):
    with pytest.raises(TypeError, match="pairs must be \\(key, value\\) pairs, got "):
        Fst.build([(b"", 0), item])


def test_pairs_not_iterable():
    with pytest.raises(TypeError):
        Fst.build(5)


@pytest.mark.parametrize("distance", [3, -1])
def test_fuzzy_distance_checked(distance):
    fst = Fst.build(PAIRS)
    with pytest.raises(ValueError, match=re.escape(f"distance must be 0, 1 or 2, got {distance!r}")):
        fst.fuzzy(b"whale", distance)


@pytest.mark.parametrize("distance", [1.5, True, None, "1"])
def test_fuzzy_distance_must_be_an_integer(distance):
    fst = Fst.build(PAIRS)
    got = f"got {type(distance).__name__} {distance!r}"
    with pytest.raises(TypeError, match=re.escape(f"distance must be an integer 0, 1 or 2, {got}")):
        fst.fuzzy(b"whale", distance)


def test_open_missing_file(tmp_path):
    path = tmp_path / "nowhere.fst"
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))):
        Fst.open(path)


def test_open_directory(tmp_path):
    with pytest.raises(OSError, match=re.escape(str(tmp_path))) as info:
        Fst.open(tmp_path)
    assert not isinstance(info.value, FileNotFoundError)


def test_build_into_missing_directory(tmp_path):
    path = tmp_path / "missing" / "x.fst"
    with pytest.raises(OSError, match=re.escape(str(tmp_path / "missing" / "x.fst"))):
        Fst.build(PAIRS, path=path)
    assert os.listdir(tmp_path) == []
    with pytest.raises(OSError, match="x.fst"):
        Fst.build(PAIRS).save(path)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", [
    ((b"a", 1), ValueError, "keys out of order"),
    ((b"zzz", -1), ValueError, "values must be integers"),
    ((b"zzz", 1.5), TypeError, "values must be int"),
    (b"zz", TypeError, "pairs must be"),
])
def test_failed_build_leaves_no_file(tmp_path, bad):
    """A build into path= that fails half way (past the first chunk) leaves the
    directory as it was, and an existing file there untouched."""
    item, error, message = bad
    path = tmp_path / "x.fst"
    pairs = [(b"a" + f"{i:06d}".encode(), i) for i in range(70_000)] + [item]
    with pytest.raises(error, match=message):
        Fst.build(pairs, path=path)
    assert os.listdir(tmp_path) == []
    Fst.build(PAIRS).save(path)
    with pytest.raises(error, match=message):
        Fst.build(pairs, path=path)
    assert os.listdir(tmp_path) == ["x.fst"]
    assert list(Fst.open(path).items()) == PAIRS


def test_generator_error_propagates_and_leaves_no_file(tmp_path):
    def generate():
        for i in range(50_000):
            yield f"{i:06d}".encode(), i
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        Fst.build(generate(), path=tmp_path / "x.fst")
    assert os.listdir(tmp_path) == []
    with pytest.raises(RuntimeError, match="source failed"):
        Fst.build(generate())


# --- damage ------------------------------------------------------------------

SMALL = Fst.build(PAIRS).to_bytes()


def exercise(fst, probes):
    """Every read operation, bounded; a damaged Fst may answer or raise CorruptIndexError."""
    results = []
    for operation in (
        lambda: list(itertools.islice(fst.items(), 2000)),
        lambda: list(itertools.islice(fst.range(b"b", b"x"), 2000)),
        lambda: list(itertools.islice(fst.prefix(b"wh"), 2000)),
        lambda: [fst.get(k) for k in probes],
        lambda: fst.fuzzy(b"whale", 2),
        lambda: fst.fuzzy(b"", 1),
    ):
        try:
            results.append(operation())
        except CorruptIndexError:
            results.append("corrupt")
    return results


def test_every_truncation_is_refused(tmp_path):
    assert issubclass(CorruptIndexError, ValueError)
    for cut in range(len(SMALL)):
        damaged = SMALL[:cut]
        with pytest.raises(CorruptIndexError, match=re.escape("<bytes>")):
            Fst.from_bytes(damaged)
        path = tmp_path / f"cut{cut}.fst"
        path.write_bytes(damaged)
        with pytest.raises(CorruptIndexError, match=re.escape(str(path))):
            Fst.open(path)


def test_every_byte_flip_is_refused(tmp_path):
    """Each byte changed (all bits, or the low bit) fails the checks of open."""
    for position in range(len(SMALL)):
        for mask in (0xFF, 0x01):
            damaged = bytearray(SMALL)
            damaged[position] ^= mask
            with pytest.raises(CorruptIndexError, match=re.escape("<bytes>")):
                Fst.from_bytes(bytes(damaged))
            path = tmp_path / f"flip{position}-{mask}.fst"
            path.write_bytes(damaged)
            with pytest.raises(CorruptIndexError, match=re.escape(str(path))):
                Fst.open(path)


def test_appended_bytes_are_refused():
    with pytest.raises(CorruptIndexError):
        Fst.from_bytes(SMALL + b"\x00")
    with pytest.raises(CorruptIndexError):
        Fst.from_bytes(b"\x00" + SMALL)


def with_checksum(data):
    """data with its CRC-32 field recomputed (every byte before the last 4)."""
    data = bytes(data)
    return data[:-4] + struct.pack("<I", zlib.crc32(data[:-4]))


def test_damage_with_a_valid_checksum_never_crashes():
    """Nodes or footer fields changed and the checksum fixed: reads answer or raise
    CorruptIndexError, never crash or hang."""
    assert with_checksum(SMALL) == SMALL
    probes = [k for k, _ in PAIRS] + [b"whal", b"zz"]
    outcomes = set()
    for position in range(16, len(SMALL) - 4):
        for mask in (0x01, 0x02, 0x10, 0x40, 0x80, 0xFF):
            damaged = bytearray(SMALL)
            damaged[position] ^= mask
            try:
                fst = Fst.from_bytes(with_checksum(damaged))
            except CorruptIndexError as error:
                assert "<bytes>" in str(error)
                outcomes.add("refused")
                continue
            outcomes.add("opened")
            exercise(fst, probes)
    # key count and root address set to arbitrary values
    footer = len(SMALL) - 24
    for count, root in [(0, 0), (2**64 - 1, 17), (3, len(SMALL)), (3, 2**63), (1, footer)]:
        damaged = bytearray(SMALL)
        damaged[footer:footer + 16] = struct.pack("<QQ", count, root)
        try:
            exercise(Fst.from_bytes(with_checksum(damaged)), probes)
        except CorruptIndexError:
            pass
    assert outcomes == {"refused", "opened"}


def test_key_count_beyond_len_is_refused():
    """A key count Python's len() cannot return is damage, refused when opened."""
    footer = len(SMALL) - 24
    for count in (2**63, 2**64 - 1):
        damaged = bytearray(SMALL)
        damaged[footer:footer + 8] = struct.pack("<Q", count)
        with pytest.raises(CorruptIndexError, match="implausible key count"):
            Fst.from_bytes(with_checksum(damaged))


# --- minimality --------------------------------------------------------------

def test_shared_suffixes_are_stored_once():
    """1000 keys ending in the same 200-byte suffix cost about one copy of it."""
    suffix = "-" + "".join(random.Random(1).choice("qwertyuiopasdfghjklzxcvbnm") for _ in range(199))
    rng = random.Random(1)
    prefixes = sorted({"".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(1000)})
    assert len(prefixes) > 950
    bare = len(Fst.build([(p, 0) for p in prefixes]).to_bytes())
    with_suffix = Fst.build([(p + suffix, 0) for p in prefixes])
    grown = len(with_suffix.to_bytes()) - bare
    assert grown <= 2 * len(suffix), grown  # not 1000 * 200 bytes
    # values as ordinals in key order: outputs move toward the root, and the
    # suffix is still shared
    bare_ordinals = len(Fst.build([(p, i) for i, p in enumerate(prefixes)]).to_bytes())
    ordinals = Fst.build([(p + suffix, i) for i, p in enumerate(prefixes)])
    assert len(ordinals.to_bytes()) - bare_ordinals <= 2 * len(suffix)
    assert list(ordinals.values()) == list(range(len(prefixes)))
    assert ordinals[(prefixes[500] + suffix).encode()] == 500
    assert ordinals.get(prefixes[500]) is None
    assert list(ordinals.prefix(prefixes[7])) == [((prefixes[7] + suffix).encode(), 7)]


def test_equal_right_languages_are_one_state():
    """Keys {x}{y} over all x, y: the minimal automaton is two layers, so the
    size does not grow with the product of the alphabets."""
    def size(n):
        letters = [chr(ord("a") + i) for i in range(n)]
        return len(Fst.build([(x + y + "tail", 0) for x in letters for y in letters]).to_bytes())

    # n*n keys of n + 6 bytes; a trie would grow quadratically, the minimal FST linearly
    for n in (5, 10, 20, 40):
        assert size(n) < 4 * n + 64, (n, size(n))


# --- threads -----------------------------------------------------------------

def test_threads_agree_with_dict():
    """4 threads read one Fst at once (gets, iteration, ranges, fuzzy): all agree
    with the dict and the brute force."""
    rng = random.Random(42)
    alphabet = "aeiourstln" + "é€"
    model = {}
    while len(model) < 20_000:
        key = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))).encode()
        model[key] = rng.randrange(2**64)
    pairs = sorted_items(model)
    fst = Fst.build(pairs)
    keys = [k for k, _ in pairs]
    index = BruteIndex(keys)
    terms = [rng.choice(keys) for _ in range(6)] + ["naïve".encode(), b"e\xffe"]
    expected_fuzzy = {(t, d): [(keys[i], pairs[i][1], x) for i, x in index.search(t, d)]
                      for t in terms for d in (1, 2)}
    barrier = threading.Barrier(4)
    failures = []

    def worker(seed):
        try:
            r = random.Random(seed)
            barrier.wait()
            for _ in range(2):
                order = keys[:]
                r.shuffle(order)
                for key in order[:5000]:
                    if fst[key] != model[key]:
                        failures.append(("get", key))
                    probe = key + b"\x00"
                    if fst.get(probe, -1) != model.get(probe, -1):
                        failures.append(("absent", probe))
                if list(fst.items()) != pairs:
                    failures.append(("items", seed))
                lo, hi = sorted(r.sample(keys, 2))
                if list(fst.range(lo, hi)) != [(k, v) for k, v in pairs if lo <= k < hi]:
                    failures.append(("range", lo, hi))
                for (term, d), hits in expected_fuzzy.items():
                    if fst.fuzzy(term, d) != hits:
                        failures.append(("fuzzy", term, d))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(("raised", repr(error)))

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# --- scale -------------------------------------------------------------------

def test_corpus_vocabulary(corpus_vocab):
    """The corpus terms (about 369,000: the count follows the Debian packages'
    versions of the day): values are ordinals, iteration is the sorted list,
    and fuzzy equals the brute force over every key for 50 terms."""
    with open(corpus_vocab, "rb") as f:
        terms = sorted({line.split(b"\t", 1)[0] for line in f.read().splitlines() if line})
    assert len(terms) > 300_000  # the scale this test is about
    fst = Fst.build((t, i) for i, t in enumerate(terms))
    assert len(fst) == len(terms)
    assert list(fst) == terms
    assert list(fst.values()) == list(range(len(terms)))
    assert all(fst[t] == i for i, t in enumerate(terms))
    assert Fst.from_bytes(fst.to_bytes()).to_bytes() == fst.to_bytes()

    rng = random.Random(2024)
    queries = rng.sample(terms, 25)
    queries += rng.sample([t for t in terms if max(t) >= 0x80], 8)
    for t in rng.sample(terms, 12):  # one edit away from a term, sometimes multi-byte
        u = units(t)
        n = rng.randrange(len(u) + 1)
        u = rng.choice([u[:n] + u[n + 1:], u[:n] + rng.choice("xé€") + u[n:],
                        u[:n] + "q" + u[n + 1:]])
        queries.append(u.encode("utf-8", "surrogateescape"))
    queries += [b"", b"whale", "sōseki".encode(), b"qzxjv", b"ab\xff"]
    assert len(queries) == 50
    index = BruteIndex(terms)
    for query in queries:
        expected = index.search(query, 2)
        for d in (0, 1, 2):
            assert fst.fuzzy(query, d) == [(terms[i], i, x) for i, x in expected if x <= d], (query, d)


def test_a_str_key_with_a_lone_surrogate_is_an_absent_key():
    # os.fsdecode(b"caf\xe9") has no UTF-8 form: no key can equal it, and the
    # mapping says so as for any absent key (not a UnicodeEncodeError).
    fst = Fst.build([(b"caf\xc3\xa9", 1), (b"caf\xe9", 2)])
    key = os.fsdecode(b"caf\xe9")
    assert key not in fst
    assert fst.get(key) is None and fst.get(key, 7) == 7
    with pytest.raises(KeyError):
        fst[key]
    assert fst[os.fsencode(key)] == 2 and fst["café"] == 1
