"""Chapter 14: word2vec skip-gram with negative sampling, dlkit.torch's train_word2vec against gensim's Word2Vec.

Both train on the same tokens of :func:`dlkit.data.load_corpus` (the whole
corpus, 1.3 M tokens, 5 epochs in full mode; its first 20,000 tokens, one
epoch, in quick mode) with the same settings: 100 dimensions, window 5,
5 negatives, min_count 5, subsampling t = 1e-3, learning rate 0.025
falling linearly to 1e-4 of it:

- gensim ``Word2Vec(sg=1, hs=0, workers=2)`` on sentences of 10,000 tokens
  (gensim truncates longer ones) (**reference**);
- ``dlkit.torch.word2vec.train_word2vec`` on the CPU with one torch thread
  (set for the run, restored after), batches of 1,024 pairs, one worker and,
  in full mode, two Hogwild workers (``workers=2``, gensim's arrangement):
  its steps are many small operations, and on a busy 2-core machine two
  torch threads ran them 7-9x slower than one (threads wait for each other
  at every one), on a quiet one 1.4x faster, while two workers, each a
  thread that runs whole steps, ran 1.3-1.8x faster;
- where a GPU exists, the same on CUDA.

Each is run once (a run lasts seconds to minutes).  best_s is the wall time
of the whole call, vocabulary included; the rows also carry words_per_s
(tokens x epochs / best_s) and the vectors' quality: the Spearman
correlation of cosine similarities with WordSim-353 (over the pairs both
vocabularies hold) and the accuracy on word2vec's analogy questions (among
the 30,000 most frequent words), printed below the table's title too.
"""

import time

import numpy as np
from scipy.stats import spearmanr

from dlkit.data import WordVectors, load_analogies, load_corpus, load_word_similarity

try:
    import torch
    from gensim.models import Word2Vec                   # the test extra

    from dlkit.torch.word2vec import train_word2vec
except ImportError:                                      # the torch and test extras of dlkit
    torch = None

SETTINGS = {"n_e": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3, "lr": 0.025}
FULL = {"max_tokens": None, "epochs": 5, "workers": (1, 2), "batch_size": 1024}
QUICK = {"max_tokens": 20_000, "epochs": 1, "workers": (1,), "batch_size": 1024}


def _gensim(tokens, seed, epochs):
    s = SETTINGS
    model = Word2Vec([tokens[i : i + 10_000] for i in range(0, len(tokens), 10_000)], sg=1, hs=0,
                     vector_size=s["n_e"], window=s["window"], negative=s["negative"], min_count=s["min_count"],
                     sample=s["sample"], alpha=s["lr"], min_alpha=s["lr"] * 1e-4, epochs=epochs, workers=2,
                     seed=seed)
    words = list(model.wv.index_to_key)
    vectors = model.wv.vectors.astype(np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return WordVectors(words, vectors, np.array([model.wv.get_vecattr(w, "count") for w in words]))


def _dlkit(tokens, seed, epochs, batch_size, device, workers=1):
    s = SETTINGS
    wv, _ = train_word2vec(tokens, n_e=s["n_e"], window=s["window"], negative=s["negative"], min_count=s["min_count"],
                           epochs=epochs, lr=s["lr"], batch_size=batch_size, sample=s["sample"], seed=seed,
                           device=device, progress=False, workers=workers)
    return wv


def quality(wv, others=()):
    """(Spearman with WordSim-353 over the pairs wv and every WordVectors in others hold, analogy accuracy)."""
    pairs, scores = load_word_similarity()
    known = [(a, b, x) for (a, b), x in zip(pairs, scores) if all(a in v and b in v for v in (wv, *others))]
    rho = spearmanr([float(wv[a] @ wv[b]) for a, b, _ in known], [x for *_, x in known]).statistic
    return float(rho), len(known), wv.analogy_accuracy(load_analogies())[0]


def run(quick=False, seed=0):
    """Train with each variant once.  Returns (sizes, rows); empty rows without torch or gensim."""
    sizes = {**SETTINGS, **(QUICK if quick else FULL)}
    if torch is None:
        return sizes, []
    tokens = load_corpus(sizes["max_tokens"])
    sizes["tokens"] = len(tokens)
    variants = {"gensim Word2Vec, workers=2 (reference)": lambda: _gensim(tokens, seed, sizes["epochs"])}
    for n in sizes["workers"]:
        name = "1 thread" if n == 1 else f"{n} workers of 1 thread"
        variants[f"dlkit.torch train_word2vec, cpu, {name}"] = (
            lambda n=n: _dlkit(tokens, seed, sizes["epochs"], sizes["batch_size"], "cpu", workers=n))
    if torch.cuda.is_available():
        variants["dlkit.torch train_word2vec, cuda"] = lambda: _dlkit(tokens, seed, sizes["epochs"],
                                                                      sizes["batch_size"], "cuda")
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        results = {}
        for name, train in variants.items():
            start = time.perf_counter()
            wv = train()
            results[name] = (time.perf_counter() - start, wv)
    finally:
        torch.set_num_threads(torch_threads)
    workload = f"SGNS, {len(tokens):,} tokens x {sizes['epochs']} epoch{'s' if sizes['epochs'] > 1 else ''}"
    reference = next(iter(results.values()))
    rows = []
    for name, (seconds, wv) in results.items():
        rho, n_pairs, accuracy = quality(wv, [v for _, v in results.values()])
        rows.append({"workload": workload, "variant": name, "best_s": seconds, "ratio": seconds / reference[0],
                     "words_per_s": len(tokens) * sizes["epochs"] / seconds, "wordsim353_spearman": rho,
                     "wordsim353_pairs": n_pairs, "analogy_accuracy": accuracy})
        print(f"{name}: {rows[-1]['words_per_s']:,.0f} words/s, WordSim-353 Spearman {rho:.3f} "
              f"({n_pairs} pairs), analogies {accuracy:.1%}")
    print()
    return sizes, rows
