"""SGD kernels of Funk SVD (biased matrix factorization): epochs, objective, pair errors, fold-in.

Notation of the kernels (the model class maps it to readable names):
    P: user factors (n_users, k)      Q: item factors (n_items, k)
    bu: user biases (n_users,)        bi: item biases (n_items,)      mu: global mean
    users, items, ratings: one training rating per position (COO, aligned)
    order: the positions in the sequence SGD visits them this epoch
    indptr, indices, data: the same ratings as a users × items CSR (user-major kernels)

One SGD step on rating (u, i, r), with err = r - (mu + bu[u] + bi[i] + P[u]·Q[i]):
    bu[u] += lr (err - reg bu[u]);   bi[i] += lr (err - reg bi[i])
    P[u]  += lr (err Q[i] - reg P[u]);   Q[i] += lr (err P[u] - reg Q[i])   (old P[u], Q[i] on the right)
which is a step of lr/2 down the gradient of the per-rating term
    err² + reg (bu[u]² + bi[i]² + |P[u]|² + |Q[i]|²).
With use_bias False the biases are not touched (pass zeros and mu = 0).
"""

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _prefetch(typingctx, array, index):
    """Hint the CPU to load array[index]'s cache line (LLVM prefetch: read, high locality)."""

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        byte_ptr = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_ptr, int32, int32, int32]), "llvm.prefetch.p0i8")
        address = builder.bitcast(builder.gep(data, [args[1]]), byte_ptr)
        builder.call(function, [address, int32(0), int32(3), int32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(cache=True, nogil=True, inline="always")
def _prefetch_row(row):
    # Item rows are the random accesses of a user-major pass; asking for the next one while the
    # current rating is computed hides much of the memory latency once Q outgrows the cache.
    step = max(1, 64 // row.itemsize)
    for offset in range(0, row.shape[0], step):
        _prefetch(row, offset)


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _funk_step(u, i, r, P, Q, bu, bi, mu, lr, reg, use_bias):
    # Row views, arithmetic in the factors' own dtype and the update written as
    # shrink·old + step·other keep both loops SIMD-vectorised (several times faster in float32).
    real = P.dtype.type
    pu = P[u]
    qi = Q[i]
    dot = real(0.0)
    for f in range(pu.shape[0]):
        dot += pu[f] * qi[f]
    err = r - (mu + bu[u] + bi[i] + dot)
    if use_bias:
        bu[u] += lr * (err - reg * bu[u])
        bi[i] += lr * (err - reg * bi[i])
    shrink = real(1.0 - lr * reg)
    step = real(lr * err)
    for f in range(pu.shape[0]):
        puf = pu[f]
        qif = qi[f]
        pu[f] = shrink * puf + step * qif
        qi[f] = shrink * qif + step * puf
    return err


@njit(cache=True, nogil=True, fastmath=True)
def funk_sgd_epoch(users, items, ratings, order, P, Q, bu, bi, mu, lr, reg, use_bias):
    """One serial SGD pass over the ratings at positions `order`, updating P, Q, bu, bi in place.
    Deterministic for a given order. Returns the sum of squared errors seen before each step."""
    sse = 0.0
    for t in range(order.shape[0]):
        s = order[t]
        err = _funk_step(users[s], items[s], ratings[s], P, Q, bu, bi, mu, lr, reg, use_bias)
        sse += err * err
    return sse


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def funk_sgd_epoch_hogwild(users, items, ratings, order, P, Q, bu, bi, mu, lr, reg, use_bias, n_chunks):
    """Hogwild SGD pass: `order` cut into n_chunks contiguous pieces run on parallel threads
    without locks (Niu et al. 2011). Races on shared rows are tolerated by design, so the result
    is not reproducible; with n_chunks = 1 it is exactly `funk_sgd_epoch`. Returns the online SSE."""
    n = order.shape[0]
    chunk = (n + n_chunks - 1) // n_chunks
    sse = 0.0
    for c in prange(n_chunks):
        local = 0.0
        for t in range(c * chunk, min(n, (c + 1) * chunk)):
            s = order[t]
            err = _funk_step(users[s], items[s], ratings[s], P, Q, bu, bi, mu, lr, reg, use_bias)
            local += err * err
        sse += local
    return sse


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _funk_user_pass(u, indptr, indices, data, positions, P, Q, bu, bi, mu, lr, reg, use_bias):
    # One user's ratings in the order positions[indptr[u]:indptr[u+1]]; the user's row stays hot
    # in cache and the ratings are read from the CSR directly (no COO copies, no order array).
    real = P.dtype.type
    shrink = real(1.0 - lr * reg)
    pu = P[u]
    sse = 0.0
    end = indptr[u + 1]
    for s in range(indptr[u], end):
        pos = positions[s]
        i = indices[pos]
        if s + 1 < end:
            _prefetch_row(Q[indices[positions[s + 1]]])
        qi = Q[i]
        dot = real(0.0)
        for f in range(pu.shape[0]):
            dot += pu[f] * qi[f]
        err = data[pos] - (mu + bu[u] + bi[i] + dot)
        if use_bias:
            bu[u] += lr * (err - reg * bu[u])
            bi[i] += lr * (err - reg * bi[i])
        step = real(lr * err)
        for f in range(pu.shape[0]):
            puf = pu[f]
            qif = qi[f]
            pu[f] = shrink * puf + step * qif
            qi[f] = shrink * qif + step * puf
        sse += err * err
    return sse


@njit(cache=True, nogil=True, fastmath=True)
def funk_sgd_epoch_by_user(indptr, indices, data, user_order, positions, P, Q, bu, bi, mu, lr, reg, use_bias):
    """The same SGD pass in user-major order (Surprise's): users in `user_order`, each user's
    ratings at the CSR positions positions[indptr[u]:indptr[u+1]] (a permutation of that row's
    positions). Equals `funk_sgd_epoch` with the concatenated order. Returns the online SSE."""
    sse = 0.0
    for t in range(user_order.shape[0]):
        sse += _funk_user_pass(user_order[t], indptr, indices, data, positions, P, Q, bu, bi, mu, lr, reg,
                               use_bias)
    return sse


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def funk_sgd_epoch_by_user_hogwild(indptr, indices, data, user_order, positions, P, Q, bu, bi, mu, lr, reg,
                                   use_bias, n_chunks):
    """Hogwild version of `funk_sgd_epoch_by_user`: user_order cut into n_chunks contiguous
    pieces on parallel threads. Threads own disjoint users, so only item rows and biases race.
    With n_chunks = 1 it is exactly the serial kernel."""
    n = user_order.shape[0]
    chunk = (n + n_chunks - 1) // n_chunks
    sse = 0.0
    for c in prange(n_chunks):
        local = 0.0
        for t in range(c * chunk, min(n, (c + 1) * chunk)):
            local += _funk_user_pass(user_order[t], indptr, indices, data, positions, P, Q, bu, bi, mu, lr,
                                     reg, use_bias)
        sse += local
    return sse


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _residual(r, pu, qi, bu_u, bi_i, mu):
    # r - (mu + bu[u] + bi[i] + P[u]·Q[i]); the dot product in the factors' own dtype, as in _funk_step
    dot = pu.dtype.type(0.0)
    for f in range(pu.shape[0]):
        dot += pu[f] * qi[f]
    return r - (mu + bu_u + bi_i + dot)


@njit(cache=True, nogil=True)
def item_penalty(Q, bi, item_counts):
    """Σ_i n_i (‖q_i‖² + b_i²): the item side of the per-rating L2 penalty (n_i = ratings of i)."""
    total = 0.0
    for i in range(Q.shape[0]):
        if item_counts[i] > 0:
            norm = 0.0
            for f in range(Q.shape[1]):
                norm += Q[i, f] * Q[i, f]
            total += item_counts[i] * (norm + bi[i] * bi[i])
    return total


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def funk_objective(indptr, indices, data, P, Q, bu, bi, mu, reg, item_counts):
    """(sum of squared errors, penalty) of the training objective over a users × items CSR:
    penalty = reg Σ_(u,i) (bu² + bi² + |P[u]|² + |Q[i]|²), each term counted once per rating.
    item_counts[i] = number of training ratings of item i."""
    n_users, k = P.shape
    sse = 0.0
    penalty = 0.0
    for u in prange(n_users):
        a, b = indptr[u], indptr[u + 1]
        if b == a:
            continue
        norm = 0.0
        for f in range(k):
            norm += P[u, f] * P[u, f]
        local = 0.0
        pu = P[u]
        for s in range(a, b):
            i = indices[s]
            err = _residual(data[s], pu, Q[i], bu[u], bi[i], mu)
            local += err * err
        sse += local
        penalty += (b - a) * (norm + bu[u] * bu[u])
    penalty += item_penalty(Q, bi, item_counts)
    return sse, reg * penalty


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def pairs_squared_error(users, items, ratings, P, Q, bu, bi, mu):
    """Σ (r - (mu + bu[u] + bi[i] + P[u]·Q[i]))² over given (user, item, rating) triples."""
    sse = 0.0
    for s in prange(users.shape[0]):
        u, i = users[s], items[s]
        err = _residual(ratings[s], P[u], Q[i], bu[u], bi[i], mu)
        sse += err * err
    return sse


@njit(cache=True, nogil=True, inline="always")
def _fold_in_epochs(items, ratings, Q, bi, mu, p, z, epochs, lr, lr_decay, reg, use_bias):
    """The fold-in SGD of Funk SVD (z = 0) and SVD++ (z = z_u): a new user's vector p (in place) and
    bias b learnt with everything else frozen, the prediction mu + b + bi[i] + Q[i]·(p + z);
    `epochs` passes over the profile in order, the rate multiplied by lr_decay after each. Returns b."""
    k = p.shape[0]
    b = 0.0
    rate = lr
    for _ in range(epochs):
        for s in range(items.shape[0]):
            i = items[s]
            dot = 0.0
            for f in range(k):
                dot += Q[i, f] * (p[f] + z[f])
            err = ratings[s] - (mu + b + bi[i] + dot)
            if use_bias:
                b += rate * (err - reg * b)
            for f in range(k):
                p[f] += rate * (err * Q[i, f] - reg * p[f])
        rate *= lr_decay
    return b


@njit(cache=True, nogil=True)
def funk_fold_in(items, ratings, Q, bi, mu, p, epochs, lr, lr_decay, reg, use_bias):
    """SGD for one new user's vector p (updated in place, start it at zeros) and bias with the
    item side frozen: `epochs` passes over the profile in the given order, the learning rate
    multiplied by lr_decay after each pass, as in training. Returns the user bias."""
    return _fold_in_epochs(items, ratings, Q, bi, mu, p, np.zeros(p.shape[0]), epochs, lr, lr_decay, reg, use_bias)


@njit(cache=True, nogil=True, parallel=True)
def funk_fold_in_rows(indptr, indices, ratings, Q, bi, mu, P_out, b_out, epochs, lr, lr_decay, reg, use_bias):
    """`funk_fold_in` for every row of a CSR of profiles (rows in parallel): row r's vector into
    P_out[r] (float64, zeros to start) and its bias into b_out[r]; each row's items in CSR order."""
    for r in prange(indptr.shape[0] - 1):
        a, b = indptr[r], indptr[r + 1]
        b_out[r] = funk_fold_in(indices[a:b], ratings[a:b], Q, bi, mu, P_out[r], epochs, lr, lr_decay, reg,
                                use_bias)


# ----------------------------------------------------------------------------- NumPy references


def funk_sgd_epoch_reference(users, items, ratings, order, P, Q, bu, bi, mu, lr, reg, use_bias):
    """NumPy version of `funk_sgd_epoch` (also the reference of the Hogwild kernel with one chunk)."""
    sse = 0.0
    for s in order:
        u, i = users[s], items[s]
        err = ratings[s] - (mu + bu[u] + bi[i] + P[u] @ Q[i])
        if use_bias:
            bu[u] += lr * (err - reg * bu[u])
            bi[i] += lr * (err - reg * bi[i])
        pu, qi = P[u].copy(), Q[i].copy()
        P[u] = pu + lr * (err * qi - reg * pu)
        Q[i] = qi + lr * (err * pu - reg * qi)
        sse += err * err
    return sse


def funk_sgd_epoch_by_user_reference(indptr, indices, data, user_order, positions, P, Q, bu, bi, mu, lr, reg,
                                     use_bias):
    """NumPy version of `funk_sgd_epoch_by_user` (and of its Hogwild version with one chunk)."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    parts = [positions[indptr[u]:indptr[u + 1]] for u in user_order]
    order = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return funk_sgd_epoch_reference(rows, indices, data, order, P, Q, bu, bi, mu, lr, reg, use_bias)


def _chunks(n, n_chunks):
    """The n_chunks contiguous pieces [start, stop) a Hogwild kernel cuts range(n) into."""
    size = -(-n // n_chunks)
    return [(c * size, min(n, (c + 1) * size)) for c in range(n_chunks)]


def funk_sgd_epoch_hogwild_reference(users, items, ratings, order, P, Q, bu, bi, mu, lr, reg, use_bias, n_chunks):
    """NumPy version of `funk_sgd_epoch_hogwild` with its chunks taken in turn, as one thread runs
    them (on several threads the lock-free races make each run differ from this by a little)."""
    return sum(funk_sgd_epoch_reference(users, items, ratings, order[a:b], P, Q, bu, bi, mu, lr, reg, use_bias)
               for a, b in _chunks(len(order), n_chunks))


def funk_sgd_epoch_by_user_hogwild_reference(indptr, indices, data, user_order, positions, P, Q, bu, bi, mu, lr,
                                             reg, use_bias, n_chunks):
    """NumPy version of `funk_sgd_epoch_by_user_hogwild` with its chunks of users taken in turn."""
    return sum(funk_sgd_epoch_by_user_reference(indptr, indices, data, user_order[a:b], positions, P, Q, bu, bi, mu,
                                                lr, reg, use_bias)
               for a, b in _chunks(len(user_order), n_chunks))


def funk_rating_loss_reference(r, pu, qi, bu_u, bi_i, mu, reg):
    """The per-rating term of the objective whose half-gradient one SGD step follows."""
    err = r - (mu + bu_u + bi_i + pu @ qi)
    return err**2 + reg * (bu_u**2 + bi_i**2 + pu @ pu + qi @ qi)


def funk_objective_reference(indptr, indices, data, P, Q, bu, bi, mu, reg, item_counts):
    """NumPy version of `funk_objective`."""
    users = np.repeat(np.arange(P.shape[0]), np.diff(indptr))
    pred = mu + bu[users] + bi[indices] + np.einsum("ij,ij->i", P[users], Q[indices])
    sse = float(((data - pred) ** 2).sum())
    counts = np.diff(indptr)
    penalty = (counts * ((P**2).sum(1) + bu**2)).sum() + (item_counts * ((Q**2).sum(1) + bi**2)).sum()
    return sse, float(reg * penalty)


def pairs_squared_error_reference(users, items, ratings, P, Q, bu, bi, mu):
    """NumPy version of `pairs_squared_error`."""
    pred = mu + bu[users] + bi[items] + np.einsum("ij,ij->i", P[users], Q[items])
    return float(((ratings - pred) ** 2).sum())


def funk_fold_in_reference(items, ratings, Q, bi, mu, p, epochs, lr, lr_decay, reg, use_bias):
    """NumPy version of `funk_fold_in`."""
    Q, bi = Q.astype(np.float64), bi.astype(np.float64)  # the kernel's float64 arithmetic, whatever the dtypes
    b = 0.0
    rate = lr
    for _ in range(epochs):
        for i, r in zip(items, ratings, strict=True):
            err = r - (mu + b + bi[i] + p @ Q[i])
            if use_bias:
                b += rate * (err - reg * b)
            p += rate * (err * Q[i] - reg * p)
        rate *= lr_decay
    return b


def funk_fold_in_rows_reference(indptr, indices, ratings, Q, bi, mu, P_out, b_out, epochs, lr, lr_decay, reg,
                                use_bias):
    """NumPy version of `funk_fold_in_rows`: `funk_fold_in_reference` row after row."""
    for r in range(len(indptr) - 1):
        a, b = indptr[r], indptr[r + 1]
        b_out[r] = funk_fold_in_reference(indices[a:b], ratings[a:b], Q, bi, mu, P_out[r], epochs, lr, lr_decay,
                                          reg, use_bias)


def item_penalty_reference(Q, bi, item_counts):
    """NumPy version of `item_penalty`: items without ratings left out (whatever their vectors hold)."""
    rated = item_counts > 0
    vectors, biases = Q[rated].astype(np.float64), bi[rated].astype(np.float64)
    return float((item_counts[rated] * ((vectors**2).sum(axis=1) + biases**2)).sum())
