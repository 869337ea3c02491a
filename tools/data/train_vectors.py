"""Train the word vectors that dlkit ships (dlkit/data/files/word_vectors.npz).

Skip-gram with negative sampling (Mikolov et al. 2013), written here in plain
PyTorch, on the corpus that `tools/data/build.py corpus` extracts from Debian
packages (about 18 M tokens: novels, bibles and commentaries, dictionaries,
the Python manual).  Maintainers only; about 15 minutes on 2 CPU cores.

    python tools/data/train_vectors.py [--epochs 5] [--dim 100] [--keep 40000]

The model follows word2vec's recipe: frequent words are subsampled
(keep probability sqrt(t / f) + t / f), each centre word sees a window of
random size 1..W on each side, k negatives come from the unigram distribution
raised to 3/4, and the learning rate decays linearly to zero.  Updates are
sparse SGD on mini-batches of (centre, context) pairs.  The centre-word
vectors of the `keep` most frequent words are saved as float16, normalised to
unit length, with the vocabulary and its counts.
"""

import argparse
import collections
import gzip
import os
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("DLKIT_DATA_WORK", "/tmp/dlkit-data-src"))


def read_corpus(path, min_count):
    counts = collections.Counter()
    lines = Path(path).read_text().splitlines()
    for line in lines:
        counts.update(line.split())
    vocab = [w for w, c in counts.most_common() if c >= min_count]
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.fromiter((index.get(w, -1) for line in lines for w in line.split()), dtype=np.int64)
    return vocab, np.array([counts[w] for w in vocab], dtype=np.int64), ids[ids >= 0]


def epoch_pairs(ids, freq, window, t, rng):
    """All (centre, context) pairs of one pass, after subsampling, shuffled."""
    keep_p = np.minimum(1.0, np.sqrt(t / freq) + t / freq)
    kept = ids[rng.random(len(ids)) < keep_p[ids]]
    radius = rng.integers(1, window + 1, size=len(kept))  # each centre's window size
    centres, contexts = [], []
    for d in range(1, window + 1):
        ok = radius[:-d] >= d                             # centre i sees i + d
        centres.append(kept[:-d][ok]); contexts.append(kept[d:][ok])
        ok = radius[d:] >= d                              # centre i sees i - d
        centres.append(kept[d:][ok]); contexts.append(kept[:-d][ok])
    c, o = np.concatenate(centres), np.concatenate(contexts)
    order = rng.permutation(len(c))
    return c[order], o[order]


def analogy_accuracy(E, vocab, questions, restrict=30000):
    """Share of a:b :: c:d questions (all four words among the first `restrict`) where d is the top answer."""
    restrict = min(restrict, len(E))
    index = {w: i for i, w in enumerate(vocab[:restrict])}
    E = E[:restrict] / np.linalg.norm(E[:restrict], axis=1, keepdims=True)
    quads = [[index[w] for w in q] for q in questions if all(w in index for w in q)]
    if not quads:
        return 0.0, 0
    q = np.array(quads)
    correct = 0
    for s in range(0, len(q), 2000):
        b = q[s : s + 2000]
        scores = (E[b[:, 1]] - E[b[:, 0]] + E[b[:, 2]]) @ E.T
        scores[np.arange(len(b))[:, None], b[:, :3]] = -np.inf
        correct += (scores.argmax(1) == b[:, 3]).sum()
    return correct / len(q), len(q)


def read_questions(path):
    out = []
    with gzip.open(path, "rt") as f:
        for line in f:
            if not line.startswith(":"):
                out.append(line.lower().split())
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", default=str(WORK / "corpus_full.txt"))
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negatives", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-4)
    p.add_argument("--lr", type=float, default=0.025)
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--keep", type=int, default=40000)
    p.add_argument("--max-tokens", type=int, default=0, help="use only the first N tokens (for a quick try)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(ROOT / "dlkit/data/files/word_vectors.npz"))
    a = p.parse_args()
    import torch  # here, so that the evaluation helpers import without it

    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    vocab, counts, ids = read_corpus(a.corpus, a.min_count)
    if a.max_tokens:
        ids = ids[: a.max_tokens]
    V, N = len(vocab), len(ids)
    print(f"{N:,d} tokens, {V:,d} words with count >= {a.min_count}", flush=True)
    freq = counts / counts.sum()
    noise = torch.tensor(counts ** 0.75, dtype=torch.float64)
    noise_table = torch.multinomial(noise / noise.sum(), 10_000_000, replacement=True)  # sample by index

    W_in = (torch.rand(V, a.dim) - 0.5) / a.dim   # centre vectors (the ones we keep)
    W_out = torch.zeros(V, a.dim)                 # context vectors
    questions = read_questions(ROOT / "dlkit/data/files/questions-words.txt.gz")

    total_pairs_est, seen = None, 0
    for epoch in range(a.epochs):
        start = time.time()
        c_np, o_np = epoch_pairs(ids, freq, a.window, a.sample, rng)
        if total_pairs_est is None:
            total_pairs_est = len(c_np) * a.epochs
        c_all, o_all = torch.from_numpy(c_np), torch.from_numpy(o_np)
        for s in range(0, len(c_all), a.batch):
            lr = a.lr * max(1e-4, 1 - seen / total_pairs_est)
            c, o = c_all[s : s + a.batch], o_all[s : s + a.batch]
            B = len(c)
            neg = noise_table[torch.randint(len(noise_table), (B, a.negatives))]
            targets = torch.cat([o[:, None], neg], dim=1)                  # (B, 1 + k)
            labels = torch.zeros(B, 1 + a.negatives); labels[:, 0] = 1
            v = W_in[c]                                                   # (B, d)
            u = W_out[targets]                                            # (B, 1 + k, d)
            score = torch.bmm(u, v[:, :, None]).squeeze(2)                 # (B, 1 + k)
            g = (labels - torch.sigmoid(score)) * lr                       # gradient ascent on log-likelihood
            grad_v = torch.bmm(g[:, None, :], u).squeeze(1)                # (B, d)
            grad_u = g[:, :, None] * v[:, None, :]                         # (B, 1 + k, d)
            W_out.index_add_(0, targets.reshape(-1), grad_u.reshape(-1, a.dim))
            W_in.index_add_(0, c, grad_v)
            seen += B
        acc, n = analogy_accuracy(W_in.numpy(), vocab, questions)
        print(f"epoch {epoch + 1}: {len(c_all):,d} pairs, {time.time() - start:.0f} s, "
              f"analogies {acc:.1%} of {n}", flush=True)

    E = W_in[: a.keep].numpy()
    E = E / np.linalg.norm(E, axis=1, keepdims=True)
    acc, n = analogy_accuracy(E, vocab, questions)
    print(f"saved {a.keep} x {a.dim}: analogy accuracy {acc:.1%} on {n} questions", flush=True)
    np.savez_compressed(a.out, vectors=E.astype(np.float16), words=np.array(vocab[: a.keep]),
                        counts=counts[: a.keep])


if __name__ == "__main__":
    main()
