"""Chapter 15: BLEU in dlkit.metrics against sacrebleu, the notes' worked numbers, and bad input.

The suite: 240 hypotheses made from real English sentences (dlkit.data's
movie-review sentences, split on whitespace) by seeded edits (dropped, swapped,
replaced and duplicated words, truncation), with 1 to 4 references each, some
hypotheses of 1-3 tokens (missing n-gram orders), some empty, some unrelated.
sacrebleu sees the same tokens joined by spaces with its tokenizer off; see the
module docstring of dlkit.metrics for the mapping.
"""

import math

import numpy as np
import pytest

from dlkit import metrics
from dlkit.data import load_sentiment

sacrebleu = pytest.importorskip("sacrebleu", reason="sacrebleu (the test extra) is not installed")

SMOOTHINGS = [("none", None), ("floor", None), ("floor", 0.3), ("add-k", None), ("add-k", 0.5), ("exp", None)]
REFS = ["the cat is on the mat".split(), "there is a cat on the mat".split()]


def _edit(rng, tokens, vocabulary):
    """A few random edits of a token list: drop, swap, replace, truncate, duplicate a span."""
    tokens = list(tokens)
    for _ in range(rng.integers(1, 5)):
        op, i = rng.integers(5), rng.integers(max(len(tokens), 1))
        if op == 0 and tokens:
            del tokens[i]
        elif op == 1 and len(tokens) > 1:
            i = min(i, len(tokens) - 2)
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif op == 2 and tokens:
            tokens[i] = vocabulary[rng.integers(len(vocabulary))]
        elif op == 3:
            tokens = tokens[:max(i, 1)]
        else:
            tokens = tokens[:i] + tokens[max(i - 3, 0):i] + tokens[i:]
    return tokens


@pytest.fixture(scope="module")
def suite():
    """240 (references, hypothesis) pairs of token lists."""
    rng = np.random.default_rng(15)
    sentences = [s.split() for s in load_sentiment().sentences_train[:600]]
    vocabulary = sorted({t for s in sentences for t in s})
    pairs = []
    for i in range(240):
        base = sentences[i]
        references = [base] + [_edit(rng, base, vocabulary) if rng.random() < 0.7 else sentences[300 + i]
                               for _ in range(rng.integers(0, 4))]
        if i % 20 == 0:
            hypothesis = []
        elif i % 20 == 1:
            hypothesis = sentences[450 + i % 150]                     # unrelated: few or no matches
        elif i % 5 == 2:
            hypothesis = _edit(rng, base, vocabulary)[:rng.integers(1, 4)]   # 1-3 tokens: orders missing
        elif i % 7 == 3:
            hypothesis = list(base)                                    # a perfect match
        else:
            hypothesis = _edit(rng, base, vocabulary)
        pairs.append((references, hypothesis))
    return pairs


def _joined(tokens):
    return " ".join(tokens)


def _streams(list_of_references):
    """sacrebleu's transposed references: streams[j][i] = reference j of sentence i, None where it has fewer."""
    width = max(len(refs) for refs in list_of_references)
    return [[_joined(refs[j]) if j < len(refs) else None for refs in list_of_references] for j in range(width)]


def test_the_suite_covers_the_cases(suite):
    lengths = [len(h) for _, h in suite]
    assert len(suite) >= 200
    assert lengths.count(0) >= 10 and sum(1 <= n <= 3 for n in lengths) >= 30 and max(lengths) >= 30
    assert {len(refs) for refs, _ in suite} == {1, 2, 3, 4}
    assert all(" " not in t and t for refs, h in suite for s in refs + [h] for t in s)   # joins and splits back


@pytest.mark.parametrize("effective_order", [True, False])
@pytest.mark.parametrize("smooth, smooth_value", SMOOTHINGS)
def test_sentence_bleu_matches_sacrebleu(suite, smooth, smooth_value, effective_order):
    scores = []
    for references, hypothesis in suite:
        ours = metrics.sentence_bleu(references, hypothesis, smooth=smooth, smooth_value=smooth_value,
                                     effective_order=effective_order)
        theirs = sacrebleu.sentence_bleu(_joined(hypothesis), [_joined(r) for r in references], smooth_method=smooth,
                                         smooth_value=smooth_value, tokenize="none",
                                         use_effective_order=effective_order)
        assert 0 <= ours <= 1
        assert 100 * ours == pytest.approx(theirs.score, abs=1e-6), (references, hypothesis)
        if hypothesis:
            assert metrics.closest_ref_length(references, len(hypothesis)) == theirs.ref_len
        scores.append(theirs.score)
    assert len(set(np.round(scores, 6))) > 100                   # not a suite of zeros and hundreds


@pytest.mark.parametrize("smooth, smooth_value", SMOOTHINGS)
def test_corpus_bleu_matches_sacrebleu(suite, smooth, smooth_value):
    """The whole suite, 24 corpora of 10 sentences, a corpus of 1-3-token hypotheses and one of empty ones."""
    corpora = [suite] + [suite[i:i + 10] for i in range(0, len(suite), 10)]
    corpora += [[p for p in suite if 1 <= len(p[1]) <= 3], [p for p in suite if not p[1]]]
    for corpus in corpora:
        list_of_references, hypotheses = [refs for refs, _ in corpus], [h for _, h in corpus]
        ours = metrics.corpus_bleu(list_of_references, hypotheses, smooth=smooth, smooth_value=smooth_value)
        theirs = sacrebleu.corpus_bleu([_joined(h) for h in hypotheses], _streams(list_of_references),
                                       smooth_method=smooth, smooth_value=smooth_value, tokenize="none").score
        assert 0 <= ours <= 1
        assert 100 * ours == pytest.approx(theirs, abs=1e-6)
    assert 0 < metrics.corpus_bleu([r for r, _ in suite], [h for _, h in suite], smooth=smooth) < 1


def test_corpus_bleu_adds_counts_before_dividing(suite):
    """Not the mean of sentence BLEUs: one long good sentence outweighs a short bad one."""
    (refs_a, _), (refs_b, _) = suite[3], suite[4]
    corpus = metrics.corpus_bleu([refs_a, refs_b], [refs_a[0], refs_b[0][:2]], smooth="none")
    mean = np.mean([metrics.sentence_bleu(refs_a, refs_a[0], smooth="none"),
                    metrics.sentence_bleu(refs_b, refs_b[0][:2], smooth="none")])
    assert corpus != pytest.approx(mean, abs=1e-3)


def test_the_notes_worked_numbers():
    assert metrics.modified_precision(REFS, "the the the the the the the".split(), 1) == (2, 7)
    assert metrics.modified_precision(REFS, "the cat the cat on the mat".split(), 2) == (4, 6)
    assert metrics.ngrams("the cat the cat on the mat".split(), 2) == {
        ("the", "cat"): 2, ("cat", "the"): 1, ("cat", "on"): 1, ("on", "the"): 1, ("the", "mat"): 1}
    assert metrics.sentence_bleu(REFS, REFS[0]) == 1.0 and metrics.sentence_bleu(REFS, REFS[1]) == 1.0


@pytest.mark.parametrize("c, r", [(7, 6), (6, 6), (4, 6), (1, 9), (0, 3)])
def test_brevity_penalty_is_sacrebleus_not_the_notes(c, r):
    expected = 1.0 if c >= r else (math.exp(1 - r / c) if c else 0.0)
    assert metrics.brevity_penalty(c, r) == pytest.approx(expected, rel=1e-15)
    # sacrebleu's BP of a hypothesis of c tokens against one reference of r tokens
    hypothesis, reference = " ".join(["a"] * c), " ".join(["a"] * r)
    assert metrics.brevity_penalty(c, r) == pytest.approx(
        sacrebleu.sentence_bleu(hypothesis, [reference], tokenize="none").bp, rel=1e-12)
    if 0 < c < r:                                                # the notes' exp(1 - c / r) is another number
        assert abs(metrics.brevity_penalty(c, r) - math.exp(1 - c / r)) > 0.1


def test_closest_reference_length_ties_go_to_the_shorter():
    refs = [["x"] * 4, ["x"] * 8]
    assert metrics.closest_ref_length(refs, 6) == 4 and metrics.closest_ref_length(refs[::-1], 6) == 4
    assert metrics.closest_ref_length(refs, 7) == 8 and metrics.closest_ref_length(refs, 100) == 8


@pytest.mark.parametrize("call, match", [
    (lambda: metrics.sentence_bleu([], ["a"]), "references is empty"),
    (lambda: metrics.sentence_bleu(REFS, "the cat is on the mat"), "tokenize first: hypothesis .* got a str"),
    (lambda: metrics.sentence_bleu(["the cat is on the mat"], ["the"]), r"tokenize first: references\[0\] .* str"),
    (lambda: metrics.sentence_bleu("the cat", ["the"]), "tokenize first: references .* got a str"),
    (lambda: metrics.modified_precision(REFS, "the cat", 1), "tokenize first"),
    (lambda: metrics.corpus_bleu([REFS], ["the cat".split(), ["a"]]),
     "2 hypotheses but 1 lists of references"),
    (lambda: metrics.corpus_bleu([REFS, []], [["a"], ["b"]]), r"list_of_references\[1\] is empty"),
    (lambda: metrics.corpus_bleu([REFS], ["the cat is on the mat"]), r"tokenize first: hypotheses\[0\]"),
    (lambda: metrics.corpus_bleu([], []), "no hypotheses"),
    (lambda: metrics.sentence_bleu(REFS, ["a"], max_n=0), "max_n is 0, expected an integer >= 1"),
    (lambda: metrics.sentence_bleu(REFS, ["a"], smooth="add-one"), "smooth is 'add-one', expected one of"),
    (lambda: metrics.sentence_bleu(REFS, ["a"], smooth="floor", smooth_value=-1), "smooth_value is -1"),
    (lambda: metrics.ngrams(["a"], 0), "n is 0, expected an integer >= 1"),
    (lambda: metrics.brevity_penalty(-1, 3), "lengths must be >= 0"),
])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
