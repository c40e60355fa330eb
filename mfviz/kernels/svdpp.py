"""SVD++ kernels: a user-by-user SGD epoch costing O(|R|·k), objective, user vectors, fold-in.

Notation (the model class maps it to readable names):
    indptr, indices, data: training ratings as a users × items CSR; R(u) = indices of row u
    P: user factors (n_users, k)   Q: item factors (n_items, k)   Y: implicit item factors (n_items, k)
    bu, bi: user and item biases   mu: global mean
    z_u = |R(u)|^-1/2 Σ_{j∈R(u)} Y[j]   (the implicit-feedback sum)
    prediction  mu + bu[u] + bi[i] + Q[i]·(P[u] + z_u)

The SGD step on rating (u, i, r) (Koren 2008; the Surprise form), err = r - prediction:
    bu += lr (err - reg bu);   bi += lr (err - reg bi)
    P[u] += lr (err Q[i] - reg P[u]);   Q[i] += lr (err (P[u] + z_u) - reg Q[i])
    Y[j] += lr_y (err Q[i] |R(u)|^-1/2 - reg Y[j])   for every j in R(u)
Done literally (as Surprise does) the last line and the recomputation of z_u cost O(|R(u)|·k) per
rating. Here the ratings of one user are processed together: every Y[j], j∈R(u), receives the same
update, so with d = 1 - lr_y reg
    z_u   <- d z_u + lr_y err Q[i]                 (exact, O(k) per rating)
    acc   <- d acc + lr_y err Q[i] |R(u)|^-1/2      (the pending common update)
and once per user  Y[j] <- d^|R(u)| Y[j] + acc.  The result equals the per-rating algorithm up to
rounding, at O(|R|·k) per epoch.
"""

import numpy as np
from numba import njit, prange

from mfviz.kernels.sgd import _fold_in_epochs, item_penalty


@njit(cache=True, nogil=True)
def shuffle_within_rows(indptr, uniforms):
    """Positions 0..nnz-1 with each row's segment permuted by Fisher-Yates driven by the given
    uniforms in [0, 1) (one per position), so the caller's seeded generator fixes the order."""
    positions = np.arange(indptr[-1])
    for u in range(indptr.shape[0] - 1):
        a, b = indptr[u], indptr[u + 1]
        for t in range(b - a - 1, 0, -1):
            j = int(uniforms[a + t] * (t + 1))
            if j > t:  # guards uniforms rounding up to 1.0
                j = t
            tmp = positions[a + t]
            positions[a + t] = positions[a + j]
            positions[a + j] = tmp
    return positions


@njit(cache=True, nogil=True, fastmath=True)
def svdpp_epoch(indptr, indices, data, user_order, positions, P, Q, Y, bu, bi, mu, lr, lr_y, reg):
    """One SGD epoch, users in `user_order`, each user's ratings in the order positions[a:b]
    (a permutation of that row's positions). Updates P, Q, Y, bu, bi in place; returns the
    online sum of squared errors."""
    k = P.shape[1]
    z = np.zeros(k)
    acc = np.zeros(k)
    decay = 1.0 - lr_y * reg
    shrink = 1.0 - lr * reg
    sse = 0.0
    for t in range(user_order.shape[0]):
        u = user_order[t]
        a, b = indptr[u], indptr[u + 1]
        n = b - a
        if n == 0:
            continue
        inv_sqrt = 1.0 / np.sqrt(n)
        for f in range(k):
            z[f] = 0.0
            acc[f] = 0.0
        for s in range(a, b):
            j = indices[s]
            for f in range(k):
                z[f] += Y[j, f]
        for f in range(k):
            z[f] *= inv_sqrt
        pu = P[u]
        for s in range(a, b):
            pos = positions[s]
            i = indices[pos]
            qi = Q[i]
            dot = 0.0
            for f in range(k):
                dot += qi[f] * (pu[f] + z[f])
            err = data[pos] - (mu + bu[u] + bi[i] + dot)
            sse += err * err
            bu[u] += lr * (err - reg * bu[u])
            bi[i] += lr * (err - reg * bi[i])
            step = lr * err
            step_y = lr_y * err
            step_acc = step_y * inv_sqrt
            for f in range(k):
                puf = pu[f]
                qif = qi[f]
                zf = z[f]
                pu[f] = shrink * puf + step * qif
                qi[f] = shrink * qif + step * (puf + zf)
                acc[f] = decay * acc[f] + step_acc * qif
                z[f] = decay * zf + step_y * qif
        total_decay = decay**n
        for s in range(a, b):
            yj = Y[indices[s]]
            for f in range(k):
                yj[f] = total_decay * yj[f] + acc[f]
    return sse


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def svdpp_user_vectors(indptr, indices, P, Y):
    """Effective user vectors P[u] + z_u (float32), zero for users without ratings."""
    n_users, k = P.shape
    out = np.zeros((n_users, k), np.float32)
    for u in prange(n_users):
        a, b = indptr[u], indptr[u + 1]
        if b == a:
            continue
        inv_sqrt = 1.0 / np.sqrt(b - a)
        total = np.zeros(k)
        for s in range(a, b):
            j = indices[s]
            for f in range(k):
                total[f] += Y[j, f]
        for f in range(k):
            out[u, f] = P[u, f] + total[f] * inv_sqrt
    return out


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def svdpp_objective(indptr, indices, data, P, Q, Y, bu, bi, mu, reg, item_counts):
    """(sum of squared errors, penalty) of the SVD++ training objective, the penalty counted per
    rating as the SGD steps apply it: reg Σ_(u,i) (bu² + bi² + |P[u]|² + |Q[i]|² + Σ_{j∈R(u)} |Y[j]|²)."""
    n_users, k = P.shape
    y_norms = np.zeros(Y.shape[0])
    for j in prange(Y.shape[0]):
        total = 0.0
        for f in range(k):
            total += Y[j, f] * Y[j, f]
        y_norms[j] = total
    sse = 0.0
    penalty = 0.0
    for u in prange(n_users):
        a, b = indptr[u], indptr[u + 1]
        if b == a:
            continue
        inv_sqrt = 1.0 / np.sqrt(b - a)
        vector = np.zeros(k)
        y_total = 0.0
        for s in range(a, b):
            j = indices[s]
            y_total += y_norms[j]
            for f in range(k):
                vector[f] += Y[j, f]
        norm = 0.0
        for f in range(k):
            norm += P[u, f] * P[u, f]
            vector[f] = P[u, f] + vector[f] * inv_sqrt
        local = 0.0
        for s in range(a, b):
            i = indices[s]
            dot = 0.0
            for f in range(k):
                dot += Q[i, f] * vector[f]
            err = data[s] - (mu + bu[u] + bi[i] + dot)
            local += err * err
        sse += local
        penalty += (b - a) * (norm + bu[u] * bu[u] + y_total)
    penalty += item_penalty(Q, bi, item_counts)
    return sse, reg * penalty


@njit(cache=True, nogil=True)
def svdpp_fold_in(items, ratings, Q, Y, bi, mu, p, epochs, lr, lr_decay, reg):
    """SGD for a new user's raw vector p (in place, start at zeros) and bias with Q, Y and item
    biases frozen; the profile's items form R(u). Returns (effective vector p + z_u, bias)."""
    k = p.shape[0]
    z = np.zeros(k)
    for s in range(items.shape[0]):
        for f in range(k):
            z[f] += Y[items[s], f]
    z /= np.sqrt(max(items.shape[0], 1))
    b = _fold_in_epochs(items, ratings, Q, bi, mu, p, z, epochs, lr, lr_decay, reg, True)
    return p + z, b


@njit(cache=True, nogil=True, parallel=True)
def svdpp_fold_in_rows(indptr, indices, ratings, Q, Y, bi, mu, P_out, b_out, epochs, lr, lr_decay, reg):
    """`svdpp_fold_in` for every row of a CSR of profiles (rows in parallel): row r's effective
    vector into P_out[r] (float64) and its bias into b_out[r]."""
    for r in prange(indptr.shape[0] - 1):
        a, b = indptr[r], indptr[r + 1]
        vector, bias = svdpp_fold_in(indices[a:b], ratings[a:b], Q, Y, bi, mu, np.zeros(P_out.shape[1]), epochs,
                                     lr, lr_decay, reg)
        P_out[r] = vector
        b_out[r] = bias


# ----------------------------------------------------------------------------- NumPy references


def shuffle_within_rows_reference(indptr, uniforms):
    """NumPy version of `shuffle_within_rows`."""
    positions = np.arange(indptr[-1])
    for u in range(len(indptr) - 1):
        a, b = indptr[u], indptr[u + 1]
        for t in range(b - a - 1, 0, -1):
            j = min(int(uniforms[a + t] * (t + 1)), t)
            positions[a + t], positions[a + j] = positions[a + j], positions[a + t]
    return positions


def svdpp_step_reference(u, i, r, rated, P, Q, Y, bu, bi, mu, lr, lr_y, reg):
    """One literal SVD++ step on rating (u, i, r), rated = R(u): z_u from the current Y, then
    every parameter updated, Y[j] for all j in R(u). Returns the error before the step."""
    inv_sqrt = 1.0 / np.sqrt(len(rated))
    z = Y[rated].sum(0) * inv_sqrt
    err = r - (mu + bu[u] + bi[i] + Q[i] @ (P[u] + z))
    bu[u] += lr * (err - reg * bu[u])
    bi[i] += lr * (err - reg * bi[i])
    pu, qi = P[u].copy(), Q[i].copy()
    P[u] = pu + lr * (err * qi - reg * pu)
    Q[i] = qi + lr * (err * (pu + z) - reg * qi)
    Y[rated] += lr_y * (err * qi * inv_sqrt - reg * Y[rated])
    return err


def svdpp_epoch_reference(indptr, indices, data, user_order, positions, P, Q, Y, bu, bi, mu, lr, lr_y, reg):
    """The literal per-rating SVD++ SGD (as Surprise runs it): z_u recomputed and every Y[j],
    j∈R(u), updated at each rating. O(|R(u)|·k) per rating; an independent check of the kernel."""
    sse = 0.0
    for u in user_order:
        a, b = indptr[u], indptr[u + 1]
        for pos in positions[a:b]:
            err = svdpp_step_reference(u, indices[pos], data[pos], indices[a:b], P, Q, Y, bu, bi, mu,
                                       lr, lr_y, reg)
            sse += err * err
    return sse


def svdpp_rating_loss_reference(r, pu, qi, Y_rated, bu_u, bi_i, mu, reg):
    """The per-rating term whose half-gradient one SVD++ step follows (Y_rated = Y[R(u)])."""
    z = Y_rated.sum(0) / np.sqrt(len(Y_rated))
    err = r - (mu + bu_u + bi_i + qi @ (pu + z))
    return err**2 + reg * (bu_u**2 + bi_i**2 + pu @ pu + qi @ qi + (Y_rated**2).sum())


def svdpp_user_vectors_reference(indptr, indices, P, Y):
    """NumPy version of `svdpp_user_vectors`."""
    out = np.zeros(P.shape, np.float32)
    for u in range(P.shape[0]):
        a, b = indptr[u], indptr[u + 1]
        if b > a:
            out[u] = P[u] + Y[indices[a:b]].sum(0) / np.sqrt(b - a)
    return out


def svdpp_objective_reference(indptr, indices, data, P, Q, Y, bu, bi, mu, reg, item_counts):
    """NumPy version of `svdpp_objective`."""
    counts = np.diff(indptr)
    vectors = svdpp_user_vectors_reference(indptr, indices, P, Y).astype(np.float64)
    users = np.repeat(np.arange(P.shape[0]), counts)
    pred = mu + bu[users] + bi[indices] + np.einsum("ij,ij->i", vectors[users], Q[indices])
    sse = float(((data - pred) ** 2).sum())
    y_norms = (Y**2).sum(1)
    y_per_user = np.array([y_norms[indices[indptr[u]:indptr[u + 1]]].sum() for u in range(P.shape[0])])
    penalty = (counts * ((P**2).sum(1) + bu**2 + y_per_user)).sum()
    penalty += (item_counts * ((Q**2).sum(1) + bi**2)).sum()
    return sse, float(reg * penalty)


def svdpp_fold_in_reference(items, ratings, Q, Y, bi, mu, p, epochs, lr, lr_decay, reg):
    """NumPy version of `svdpp_fold_in`."""
    # the kernel's float64 arithmetic, whatever the dtypes
    Q, Y, bi = Q.astype(np.float64), Y.astype(np.float64), bi.astype(np.float64)
    z = Y[items].sum(0) / np.sqrt(max(len(items), 1))
    b = 0.0
    rate = lr
    for _ in range(epochs):
        for i, r in zip(items, ratings, strict=True):
            err = r - (mu + b + bi[i] + Q[i] @ (p + z))
            b += rate * (err - reg * b)
            p += rate * (err * Q[i] - reg * p)
        rate *= lr_decay
    return p + z, b


def svdpp_fold_in_rows_reference(indptr, indices, ratings, Q, Y, bi, mu, P_out, b_out, epochs, lr, lr_decay, reg):
    """NumPy version of `svdpp_fold_in_rows`: `svdpp_fold_in_reference` row after row."""
    for r in range(len(indptr) - 1):
        a, b = indptr[r], indptr[r + 1]
        P_out[r], b_out[r] = svdpp_fold_in_reference(indices[a:b], ratings[a:b], Q, Y, bi, mu,
                                                     np.zeros(P_out.shape[1]), epochs, lr, lr_decay, reg)
