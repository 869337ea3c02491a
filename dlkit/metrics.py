"""Evaluation metrics (backend-neutral: labels or tokens in, numbers out).

Chapter 8, single-number evaluation metrics.  For a binary task with positive
class 1, counting true/false positives and negatives:

    accuracy  = (TP + TN) / (TP + TN + FP + FN)
    precision = TP / (TP + FP)      of the examples called positive, the fraction that are
    recall    = TP / (TP + FN)      of the positive examples, the fraction found
    F1        = 2 P R / (P + R)     the harmonic mean: low when either is low

For K classes, "macro" averages the per-class scores (every class counts the
same), "micro" pools the counts of all classes first (every example counts the
same; for single-label data micro precision = micro recall = accuracy).  A
ratio with an empty denominator is 0, as scikit-learn's zero_division=0.

Chapter 15, BLEU (bilingual evaluation understudy): how close a machine
translation (the hypothesis) is to one or more human references.  Sentences
are lists of tokens; the caller tokenizes (``str.split`` or a real tokenizer)
and a str where a token list belongs is an error.  With c the hypothesis
length and r the reference length closest to c:

    p_n  = sum over the hypothesis' n-grams of min(count, max count in any one reference)
           / the number of n-grams of the hypothesis        (clipped, "modified" precision)
    BP   = 1 if c > r else exp(1 - r / c)                     (brevity penalty; 0 when c = 0)
    BLEU = BP exp(sum_{n=1..N} (1/N) log p_n)                 (a geometric mean, N = 4)

The notes write BP with r / c inverted and combine the p_n by exp of their
arithmetic mean; both are corrected here.  Corpus BLEU adds the counts and
lengths of all sentences before dividing (it is not the mean of sentence
BLEUs).  A zero p_n makes BLEU 0, which is why sentence BLEU needs smoothing
and an effective order; when no n-gram of any order matches, BLEU is 0 even
with smoothing (as sacrebleu).

The numbers equal sacrebleu 2.6's BLEU score / 100, with its tokenizer turned
off and the token lists joined by single spaces (exact when no token holds
whitespace, which sacrebleu would split on):

    sentence_bleu(refs, hyp, smooth=s, smooth_value=v, effective_order=e)
      == sacrebleu.sentence_bleu(" ".join(hyp), [" ".join(ref) for ref in refs], smooth_method=s,
                                 smooth_value=v, tokenize="none", use_effective_order=e).score / 100
    corpus_bleu(list_of_references, hyps, smooth=s, smooth_value=v)
      == sacrebleu.corpus_bleu([" ".join(hyp) for hyp in hyps], streams, smooth_method=s,
                               smooth_value=v, tokenize="none").score / 100

dlkit's ``list_of_references[i]`` holds the references of sentence i (any
number >= 1); sacrebleu transposes this into reference *streams* of equal
length: ``streams[j][i]`` is sentence i's reference j joined by spaces, or
None where sentence i has fewer than j + 1 references (sacrebleu drops a None;
an empty string "" would instead count as a reference of length 0).
"""

import collections
import math

import numpy as np

AVERAGES = ("binary", "macro", "micro")


def _labels(name, y):
    y = np.asarray(y.detach().cpu() if hasattr(y, "detach") else y).reshape(-1)
    if y.size and not np.all(y == np.round(y)):
        raise ValueError(f"{name} holds non-integer values, expected class labels 0..K-1")
    return y.astype(int)


def confusion_matrix(y_true, y_pred, K=None):
    """C[i, j] = the number of examples of class i predicted as class j: (K, K), rows = truth.

    y_true, y_pred: labels 0..K-1 of the same length (any shape: (m,), (1, m)).
    K defaults to the largest label + 1.

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred has {y_pred.size} labels, expected one per example of y_true ({y_true.size})")
    K = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)) + 1) if K is None else K
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= K):
        raise ValueError(f"labels must lie in 0..{K - 1}")
    C = np.zeros((K, K), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def _ratio(num, den):
    return np.divide(num, den, out=np.zeros(np.shape(num), dtype=float), where=np.asarray(den) > 0)


def _counts(y_true, y_pred, average, positive):
    """(TP, FP, FN) per class (macro), pooled (micro), or of the positive class (binary)."""
    if average not in AVERAGES:
        raise ValueError(f"average is {average!r}, expected one of {AVERAGES}")
    C = confusion_matrix(y_true, y_pred)
    if average == "binary":
        if C.shape[0] > 2:
            raise ValueError(f"average='binary' needs two classes, got {C.shape[0]}: use 'macro' or 'micro'")
        C = np.pad(C, (0, 2 - C.shape[0]))             # a class that never occurs
    tp = np.diag(C)
    fp, fn = C.sum(axis=0) - tp, C.sum(axis=1) - tp
    if average == "binary":
        return tp[positive], fp[positive], fn[positive]
    if average == "micro":
        return tp.sum(), fp.sum(), fn.sum()
    return tp, fp, fn


def accuracy(y_true, y_pred):
    """(TP + TN) / all: the fraction of labels predicted right."""
    C = confusion_matrix(y_true, y_pred)
    return float(np.trace(C) / C.sum()) if C.sum() else 0.0


def precision(y_true, y_pred, average="binary", positive=1):
    """TP / (TP + FP), of the positive class ("binary") or averaged over classes ("macro", "micro")."""
    tp, fp, _ = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(tp, tp + fp)))


def recall(y_true, y_pred, average="binary", positive=1):
    """TP / (TP + FN), of the positive class ("binary") or averaged over classes ("macro", "micro")."""
    tp, _, fn = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(tp, tp + fn)))


def f1(y_true, y_pred, average="binary", positive=1):
    """2 P R / (P + R) = 2 TP / (2 TP + FP + FN), per class then averaged for "macro"."""
    tp, fp, fn = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(2 * tp, 2 * tp + fp + fn)))


def train_dev_split(m, train_dev_size, seed=0):
    """Indices (train, train_dev) of m training examples: a random train-dev set of train_dev_size
    held out from the *training distribution*, next to the dev/test sets of the target distribution.

    Error on train-dev minus error on train measures variance; error on dev
    minus error on train-dev measures data mismatch.
    """
    if not 0 < train_dev_size < m:
        raise ValueError(f"train_dev_size is {train_dev_size!r}, expected between 0 and m = {m}")
    order = np.random.default_rng(seed).permutation(m)
    return np.sort(order[train_dev_size:]), np.sort(order[:train_dev_size])


# Chapter 15, BLEU ------------------------------------------------------------------------------------------------

SMOOTHING = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}   # method: default smooth_value (sacrebleu's)


def _tokens(name, tokens):
    if isinstance(tokens, str):
        raise ValueError(f"tokenize first: {name} must be a list of tokens, got a str {tokens[:40]!r}")
    return list(tokens)


def _references(name, references):
    if isinstance(references, str):
        raise ValueError(f"tokenize first: {name} must be a list of references (token lists), got a str "
                         f"{references[:40]!r}")
    references = [_tokens(f"{name}[{j}]", ref) for j, ref in enumerate(references)]
    if not references:
        raise ValueError(f"{name} is empty, expected at least one reference (a list of tokens)")
    return references


def ngrams(tokens, n):
    """The n-grams of a token list and how often each occurs: Counter {(token_1, ..., token_n): count}.

    >>> ngrams("the cat the cat".split(), 2)
    Counter({('the', 'cat'): 2, ('cat', 'the'): 1})
    """
    tokens = _tokens("tokens", tokens)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n is {n!r}, expected an integer >= 1")
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(references, hypothesis, n):
    """The clipped n-gram counts of a hypothesis: (clipped, total), p_n = clipped / total.

    clipped = sum over the hypothesis' n-grams of min(count in the hypothesis,
    the largest count in any one reference); total = the number of n-grams of
    the hypothesis.  references: a list of token lists; hypothesis: a token list.

    The notes' examples: seven "the" earn 2 / 7 (a reference holds "the" twice
    at most), and "the cat" counts only once of its two times:

    >>> refs = ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    >>> modified_precision(refs, "the the the the the the the".split(), 1)
    (2, 7)
    >>> modified_precision(refs, "the cat the cat on the mat".split(), 2)
    (4, 6)
    """
    references = _references("references", references)
    counts = ngrams(_tokens("hypothesis", hypothesis), n)
    most = collections.Counter()
    for ref in references:
        most |= ngrams(ref, n)                        # | keeps the larger count of each n-gram
    return sum(min(count, most[gram]) for gram, count in counts.items()), sum(counts.values())


def brevity_penalty(c, r):
    """BP = 1 if c > r else exp(1 - r / c): a hypothesis of c tokens shorter than its reference (r) loses.

    c = 0 gives 0.0 (when r > 0); c = r gives 1.  The notes invert the ratio.

    >>> brevity_penalty(7, 6), brevity_penalty(6, 6), round(brevity_penalty(4, 6), 4)    # exp(1 - 6/4)
    (1.0, 1.0, 0.6065)
    """
    if min(c, r) < 0:
        raise ValueError(f"lengths must be >= 0, got c = {c!r}, r = {r!r}")
    if c >= r:
        return 1.0
    return math.exp(1 - r / c) if c > 0 else 0.0


def closest_ref_length(references, c):
    """The length of the reference closest in length to a hypothesis of c tokens (the shorter on ties, as sacrebleu).

    >>> closest_ref_length([[0] * 4, [0] * 8, [0] * 9], 6)
    4
    """
    return min((len(ref) for ref in _references("references", references)), key=lambda r: (abs(r - c), r))


def _check_options(max_n, smooth, smooth_value):
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
        raise ValueError(f"max_n is {max_n!r}, expected an integer >= 1")
    if smooth not in SMOOTHING:
        raise ValueError(f"smooth is {smooth!r}, expected one of {tuple(SMOOTHING)}")
    if smooth_value is not None and not smooth_value >= 0:
        raise ValueError(f"smooth_value is {smooth_value!r}, expected a number >= 0 or None (the default)")


def _statistics(references, hypothesis, max_n):
    """(c, r, clipped, totals) of one sentence: lengths and the counts of n = 1..max_n."""
    counts = [modified_precision(references, hypothesis, n) for n in range(1, max_n + 1)]
    c = len(hypothesis)
    return c, closest_ref_length(references, c), [m for m, _ in counts], [t for _, t in counts]


def _bleu(c, r, clipped, totals, smooth, smooth_value, effective_order):
    """BP exp(mean log p_n) from the counts, smoothed as sacrebleu's BLEU.compute_bleu."""
    if not any(clipped):                              # nothing matches: 0 whatever the smoothing
        return 0.0
    k = SMOOTHING[smooth] if smooth_value is None else smooth_value
    log_sum, orders, zeros = 0.0, 0, 0
    for n, (m, t) in enumerate(zip(clipped, totals), start=1):
        if smooth == "add-k" and n > 1:               # Lin and Och: k more matches of k more n-grams
            m, t = m + k, t + k
        if t == 0:                                    # no n-grams of this order (nor of higher ones)
            break
        if m > 0:
            p = m / t
        elif smooth == "exp":                         # 1/2, 1/4, ... of a match, per order without any
            zeros += 1
            p = 1 / (2 ** zeros * t)
        elif smooth == "floor":
            p = k / t
        else:
            p = 0.0
        if p == 0:
            return 0.0
        log_sum, orders = log_sum + math.log(p), n
    if orders < len(clipped) and not effective_order:   # a missing order has precision 0
        return 0.0
    return brevity_penalty(c, r) * math.exp(log_sum / orders)


def sentence_bleu(references, hypothesis, max_n=4, smooth="exp", smooth_value=None, effective_order=True):
    """BLEU of one hypothesis against its references, a number in [0, 1] (sacrebleu reports 100 x this).

    references: a list of token lists (at least one); hypothesis: a token list.
    max_n: N, the longest n-gram.  smooth: "exp" (an order without matches
    counts 1/2, then 1/4, ... of a match), "floor" (smooth_value, default 0.1,
    matches), "add-k" (smooth_value, default 1, added to the matches and counts
    of the orders n > 1) or "none".  effective_order: drop the orders of which
    the hypothesis has no n-gram at all (shorter than N tokens) from the mean,
    as sacrebleu's use_effective_order.  See the module docstring for the
    formula and for the equal call of sacrebleu.

    >>> refs = ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    >>> round(sentence_bleu(refs, "the cat is on the mat".split()), 6)
    1.0
    >>> round(sentence_bleu(refs, "the cat the cat on the mat".split()), 4)
    0.4671
    """
    _check_options(max_n, smooth, smooth_value)
    references = _references("references", references)
    stats = _statistics(references, _tokens("hypothesis", hypothesis), max_n)
    return _bleu(*stats, smooth, smooth_value, effective_order)


def corpus_bleu(list_of_references, hypotheses, max_n=4, smooth="exp", smooth_value=None):
    """BLEU of a whole test set, a number in [0, 1]: the counts and lengths of all sentences are added first.

    list_of_references[i]: the references (token lists, any number >= 1) of
    hypotheses[i] (a token list; an empty one adds no n-grams and length 0).
    c and r are the sums of the sentences' c and closest r.  max_n, smooth,
    smooth_value: as :func:`sentence_bleu`; every order counts (no effective
    order), as sacrebleu's corpus_bleu.  See the module docstring for the
    equal call of sacrebleu, whose references are transposed.

    >>> refs = [["the cat is on the mat".split()], ["there is a cat".split(), "a cat is there".split()]]
    >>> round(corpus_bleu(refs, ["the cat is on the mat".split(), "there is a dog".split()]), 4)
    0.8376
    """
    _check_options(max_n, smooth, smooth_value)
    if isinstance(list_of_references, str) or isinstance(hypotheses, str):
        raise ValueError("tokenize first: corpus_bleu takes a list of reference lists and a list of token lists, "
                         "got a str")
    list_of_references, hypotheses = list(list_of_references), list(hypotheses)
    if len(list_of_references) != len(hypotheses):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(list_of_references)} lists of references, "
                         f"expected one list of references per hypothesis")
    if not hypotheses:
        raise ValueError("no hypotheses: expected at least one sentence")
    c, r, clipped, totals = 0, 0, [0] * max_n, [0] * max_n
    for i, (references, hypothesis) in enumerate(zip(list_of_references, hypotheses)):
        references = _references(f"list_of_references[{i}]", references)
        c_i, r_i, clipped_i, totals_i = _statistics(references, _tokens(f"hypotheses[{i}]", hypothesis), max_n)
        c, r = c + c_i, r + r_i
        clipped = [a + b for a, b in zip(clipped, clipped_i)]
        totals = [a + b for a, b in zip(totals, totals_i)]
    return _bleu(c, r, clipped, totals, smooth, smooth_value, effective_order=False)
