"""Chapter 14 in PyTorch: twins of :mod:`dlkit.numpy.word2vec` (formulas there), and word2vec training on real text.

The three losses are torch computations and their gradients come from
autograd, so the parity tests compare the hand-written NumPy gradients with
autograd.  :func:`train_word2vec` trains skip-gram with negative sampling
at scale: its update is written by hand and scattered with ``index_add_``,
which ran 1.4-1.7x faster than autograd with sparse SGD, on any device.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F

from dlkit._shapes import check_shape
from dlkit.data.vectors import WordVectors
from dlkit.text import Vocabulary, alias_table, noise_distribution, skipgram_pairs
from dlkit.torch._tensors import as_tensor, loss_and_grads
from dlkit.torch.knn import _as_labels


def softmax_loss_and_grads(e_c, U, target):
    """Mean of -log softmax(U e_c)[t] over m pairs; gradients by autograd.  Returns (loss, de_c, dU)."""
    e_c = as_tensor("e_c", e_c)
    U = as_tensor("U", U, like=e_c).to(e_c.device)
    dims = check_shape("e_c", e_c, ("m", "n_e"))
    check_shape("U", U, ("V", "n_e"), dims)
    target = _as_labels("target", target, e_c.shape[0], U.shape[0], device=e_c.device)
    return loss_and_grads(lambda e_c, U: F.cross_entropy(e_c @ U.T, target), [e_c, U])


def sgns_loss_and_grads(e_c, u_o, u_neg):
    """Mean of -log sigma(u_o.e_c) - sum_k log sigma(-u_k.e_c) over m pairs; gradients by autograd.

    e_c, u_o: (m, n_e), u_neg: (m, k, n_e).  Returns (loss, de_c, du_o, du_neg).
    """
    e_c = as_tensor("e_c", e_c)
    u_o = as_tensor("u_o", u_o, like=e_c).to(e_c.device)
    u_neg = as_tensor("u_neg", u_neg, like=e_c).to(e_c.device)
    dims = check_shape("e_c", e_c, ("m", "n_e"))
    check_shape("u_o", u_o, ("m", "n_e"), dims)
    check_shape("u_neg", u_neg, ("m", "k", "n_e"), dims)

    def loss(e_c, u_o, u_neg):
        s_o = torch.sum(u_o * e_c, dim=1)                      # (m,)
        s_neg = torch.einsum("mkn,mn->mk", u_neg, e_c)         # (m, k)
        return -(F.logsigmoid(s_o).sum() + F.logsigmoid(-s_neg).sum()) / e_c.shape[0]
    return loss_and_grads(loss, [e_c, u_o, u_neg])


def hs_loss_and_grads(e_c, node_vectors, code):
    """-sum_l log sigma((1 - 2 d_l) theta_l.e_c) along one Huffman path; gradients by autograd.

    e_c: (n_e,), node_vectors: (L, n_e), code: (L,) bits.  Returns (loss, de_c, dnodes).
    """
    e_c = as_tensor("e_c", e_c)
    node_vectors = as_tensor("node_vectors", node_vectors, like=e_c).to(e_c.device)
    dims = check_shape("e_c", e_c, ("n_e",))
    check_shape("node_vectors", node_vectors, ("L", "n_e"), dims)
    code = torch.as_tensor(np.asarray(code.cpu() if isinstance(code, torch.Tensor) else code))
    check_shape("code", code, (node_vectors.shape[0],))
    if code.numel() and not bool(torch.all((code == 0) | (code == 1))):
        raise ValueError(f"code holds {sorted(set(code.tolist()))}, expected bits 0 and 1")
    sign = (1.0 - 2.0 * code).to(dtype=e_c.dtype, device=e_c.device)   # (L,)
    return loss_and_grads(lambda e_c, nodes: -F.logsigmoid(sign * (nodes @ e_c)).sum(), [e_c, node_vectors])


def sgns_step(E, U, centers, contexts, negatives, lr):
    """One SGD step of negative sampling on a batch of pairs, in place; the gradients by hand.

    E, U: (V, n_e) input and output vectors (changed in place); centers,
    contexts: (B,) int64 word ids of the pairs, negatives: (B, k) noise words.
    Each pair moves its vectors by -lr times its own gradient (the sum over
    the batch, not the mean, as word2vec updates pair by pair): with
    targets = [context, negatives] (B, 1 + k), labels y = [1, 0, ..., 0]
    and s = u_target.e_c,  g = lr (y - sigma(s)),  e_c += sum_j g_j u_j,
    u_j += g_j e_c.  Rows used by several pairs get the sum of their updates
    (``index_add_``).  Returns the batch's summed loss (a 0-d tensor).
    """
    targets = torch.cat([contexts[:, None], negatives], dim=1)          # (B, 1 + k)
    B, n_e = targets.shape[0], E.shape[1]
    e = E.index_select(0, centers)                                     # (B, n_e); index_select: 4x faster than E[...]
    u = U.index_select(0, targets.reshape(-1)).view(B, -1, n_e)        # (B, 1 + k, n_e)
    s = (u * e[:, None, :]).sum(2)                                     # (B, 1 + k); 3x faster than bmm on a CPU
    s[:, 0].neg_()                                                     # now (-s_o, s_1, ..., s_k)
    loss = F.softplus(s).sum()                                         # -log sigma(s_o) - sum_k log sigma(-s_k)
    g = torch.sigmoid(s).mul_(lr)                                      # lr (1 - sigma(s_o)), lr sigma(s_k)
    g[:, 1:].neg_()                                                    # g = lr (y - sigma(s)), y = (1, 0, ..., 0)
    de = torch.bmm(g[:, None, :], u).squeeze(1)                        # (B, n_e)
    U.index_add_(0, targets.reshape(-1), (g[:, :, None] * e[:, None, :]).reshape(-1, n_e))
    E.index_add_(0, centers, de)
    return loss


def _noise_words(accept, alias, shape, gen):
    """Word ids drawn from an alias table (:func:`dlkit.text.alias_table`): an int64 tensor of ``shape``."""
    n = int(np.prod(shape))
    column = torch.randint(len(accept), (n,), generator=gen, device=accept.device)
    u = torch.rand(n, generator=gen, device=accept.device, dtype=accept.dtype)
    return torch.where(u < accept.index_select(0, column), column, alias.index_select(0, column)).view(shape)


def train_word2vec(tokens, n_e=100, window=5, negative=5, min_count=5, epochs=5, lr=0.025, batch_size=1024,
                   sample=1e-3, seed=0, device=None, progress=True, workers=1):
    """Skip-gram with negative sampling on a list of tokens, word2vec's recipe.

    tokens: a list of str (one text, e.g. :func:`dlkit.data.load_corpus`).
    The vocabulary keeps words seen min_count times (:class:`dlkit.text.Vocabulary`);
    each epoch subsamples frequent words with threshold ``sample`` (0: none), pairs
    every center with the words of a dynamic window of 1..window on each
    side (:func:`dlkit.text.skipgram_pairs`), shuffles the pairs, and takes
    :func:`sgns_step` on batches of batch_size pairs with ``negative`` noise
    words each, drawn from the unigram^(3/4) distribution (by its
    :func:`dlkit.text.alias_table`).  The learning
    rate falls linearly from lr to lr * 1e-4 over the run, as in word2vec.
    E starts uniform in +-0.5 / n_e, U at zero; both are float32 on
    ``device`` (None: the CPU).  Randomness comes from ``seed`` (NumPy for
    subsampling, windows and shuffling, torch for the noise words).
    workers: threads that take the batches in turn and update E and U
    without locks ("Hogwild", as word2vec and gensim do: two threads rarely
    touch the same row at once, and a lost update costs little).  torch
    releases Python's lock inside each operation, so on a machine with
    two cores two workers with ``torch.set_num_threads(1)`` train 1.3-1.8x
    faster than one; with more than one worker a run is not reproducible.
    The steps are many small tensor operations: on a busy machine with few
    cores, ``torch.set_num_threads(1)`` can run them several times faster
    (7-9x measured on a shared 2-core machine).
    progress: print, each quarter epoch, the epoch, the mean loss per pair
    since the last line, and the words per second so far.

    Returns (vectors, stats): vectors a :class:`dlkit.data.WordVectors` of
    the rows of E scaled to unit length (float64, most frequent word
    first); stats a dict with "words_per_second" (in-vocabulary tokens read,
    before subsampling, times epochs, over the training seconds: the count
    word2vec and gensim report), "seconds", "pairs" (trained on, all epochs), and "loss", a list of
    (epochs done, mean loss per pair) at each quarter epoch.
    """
    for name, value in (("n_e", n_e), ("window", window), ("negative", negative), ("epochs", epochs),
                        ("batch_size", batch_size), ("workers", workers)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} is {value!r}, expected a positive integer")
    if not lr > 0:
        raise ValueError(f"lr is {lr!r}, expected a positive learning rate")
    device = torch.device("cpu" if device is None else device)
    vocab = Vocabulary(tokens, min_count=min_count)
    ids = vocab.encode(tokens)
    V = len(vocab)
    rng = np.random.default_rng(seed)
    gens = [torch.Generator(device=device).manual_seed(seed + 1_000_003 * w) for w in range(workers)]
    accept, alias = (torch.as_tensor(a, device=device) for a in alias_table(noise_distribution(vocab.counts)))
    E = ((torch.rand(V, n_e, generator=gens[0], device=device) - 0.5) / n_e).contiguous()
    U = torch.zeros(V, n_e, device=device)

    def train_batches(centers, contexts, batches, epoch, n_batches, gen):
        """sgns_step on the given batch numbers of one epoch; returns (their summed loss, their pairs)."""
        loss, pairs = torch.zeros((), device=device), 0
        for b in batches:
            c = centers[b * batch_size : (b + 1) * batch_size]
            o = contexts[b * batch_size : (b + 1) * batch_size]
            neg = _noise_words(accept, alias, (len(c), negative), gen)           # (B, k)
            loss += sgns_step(E, U, c, o, neg, lr * max(1e-4, 1 - (epoch + b / n_batches) / epochs))
            pairs += len(c)
        return loss, pairs

    reports, total_pairs = [], 0
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for epoch in range(epochs):
            kept = vocab.subsample(ids, rng, t=sample) if sample else ids
            centers, contexts = skipgram_pairs(kept, window=window, rng=rng)
            order = rng.permutation(len(centers))                      # shuffled pairs, one batch at a time
            centers = torch.as_tensor(centers[order], device=device)
            contexts = torch.as_tensor(contexts[order], device=device)
            n_batches = -(-len(centers) // batch_size)
            marks = sorted({round(n_batches * q / 4) for q in range(5)})  # report each quarter epoch
            for first, end in zip(marks, marks[1:]):
                # worker w takes batches first + w, first + w + workers, ... of this quarter
                done = list(pool.map(lambda w: train_batches(centers, contexts, range(first + w, end, workers),
                                                             epoch, n_batches, gens[w]), range(workers)))
                loss, pairs = float(sum(part[0] for part in done)), sum(part[1] for part in done)
                at = epoch + end / n_batches
                reports.append((at, loss / pairs))
                total_pairs += pairs
                if progress:
                    words_per_second = len(ids) * at / (time.perf_counter() - start)
                    print(f"epoch {at:5.2f}/{epochs}  loss {loss / pairs:.4f}  {words_per_second:,.0f} words/s",
                          flush=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    vectors = E.double().cpu().numpy()
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stats = {"words_per_second": len(ids) * epochs / seconds, "seconds": seconds, "pairs": total_pairs,
             "loss": reports}
    return WordVectors(vocab.words, vectors, vocab.counts.copy()), stats
