"""The student's path through each skeleton: fill in its NotImplementedError bodies the way
the docstring says, and the grader passes it. This proves the given plumbing (constructors,
Parameters, names, shapes) fits the grader, on every backend."""
import re
import textwrap

import pytest

import exercises

RAISE = re.compile(r'^( *)raise NotImplementedError\("exercise:.*?"\)$', re.M | re.S)

# one entry per `raise NotImplementedError("exercise: ...")`, in file order
BODIES = {
    "dense": ["return x @ self.W.data + self.b.data",
              """self.W.grad += self.x.T @ dy
              self.b.grad += dy.sum(axis=0)
              return dy @ self.W.data.T"""],
    "activations": ["self.y = 1 / (1 + xp.exp(-x))\nreturn self.y",
                    "return dy * self.y * (1 - self.y)",
                    "self.y = xp.tanh(x)\nreturn self.y",
                    "return dy * (1 - self.y ** 2)",
                    "self.mask = x > 0\nreturn xp.maximum(x, 0)",
                    "return dy * self.mask"],
    "bce_logits": ["""loss = xp.maximum(pred, 0) - pred * target + xp.log1p(xp.exp(-xp.abs(pred)))
                   self.cache = (1 / (1 + xp.exp(-pred)), target, n)
                   return float(loss.sum()) / n""",
                   "s, t, n = self.cache\nreturn (s - t) / n"],
    "softmax_ce": ["""shifted = pred - pred.max(axis=1, keepdims=True)
                   log_p = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
                   self.cache = (log_p, labels)
                   return -float(log_p[xp.arange(B), labels].sum()) / B""",
                   """log_p, labels = self.cache
                   d = backend.get_array_module(log_p).exp(log_p)
                   d[backend.get_array_module(d).arange(len(labels)), labels] -= 1
                   return d / len(labels)"""],
    "adam": ["""state["t"] += 1
             t = state["t"]
             m *= self.beta1
             m += (1 - self.beta1) * g
             v *= self.beta2
             v += (1 - self.beta2) * g * g
             m_hat, v_hat = m / (1 - self.beta1 ** t), v / (1 - self.beta2 ** t)
             p.data -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)"""],
    "tied_dense": ["return x @ self.W.data.T + self.b.data",
                   """self.W.grad += dy.T @ self.x
                   self.b.grad += dy.sum(axis=0)
                   return dy @ self.W.data"""],
    "kl_sparsity": ["""rho_hat = xp.clip(h.mean(axis=0), 1e-7, 1 - 1e-7)
                    value = self.beta * float(kl_bernoulli(self.rho, rho_hat).sum())
                    d = self.beta * (-self.rho / rho_hat + (1 - self.rho) / (1 - rho_hat))
                    return value, xp.ones_like(h) * d / h.shape[0]"""],
    "ksparse": ["""kth = -xp.partition(-h, self.k - 1, axis=1)[:, self.k - 1:self.k]
                self.mask = h >= kth
                return h * self.mask""",
                "return dz * self.mask"],
    "contractive": ["""w = (self.dense.W.data ** 2).sum(axis=0)
                    s = h * (1 - h)
                    B = h.shape[0]
                    return self.lam * float(((s * s) @ w).sum()) / B, \\
                        2 * self.lam / B * s * (1 - 2 * h) * w""",
                    """s = h * (1 - h)
                    W = self.dense.W.data
                    dW = 2 * self.lam / h.shape[0] * W * (s * s).sum(axis=0)
                    return [(self.dense.W, dW)]"""],
    "conv2d": ["""self.cols = im2col(xpad, self.kh, self.kw, self.stride)
               y = self.W.data.reshape(self.c_out, -1) @ self.cols
               y += self.b.data[:, None]
               return from_rows(y, n, ho, wo)""",
               """dy_rows = to_rows(dy)
               self.W.grad += (dy_rows @ self.cols.T).reshape(self.W.shape)
               self.b.grad += dy_rows.sum(axis=1)
               dcols = self.W.data.reshape(self.c_out, -1).T @ dy_rows
               dxpad = col2im(dcols, self.padded_shape, self.kh, self.kw, self.stride)
               return dxpad[:, :, p:p + h, p:p + w]"""],
    "lstm": ["""z = zx_t + self.h[t] @ self.U.data
             a = self.gates[t]
             a[...] = sigmoid(z)
             a[:, 2 * H:3 * H] = xp.tanh(z[:, 2 * H:3 * H])
             i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
             self.c[t + 1] = f * self.c[t] + i * g
             self.tanh_c[t] = xp.tanh(self.c[t + 1])
             self.h[t + 1] = o * self.tanh_c[t]""",
             """a = self.gates[t]
             i, f, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H]
             dz_t[:, :H] = dc * g
             dz_t[:, H:2 * H] = dc * self.c[t]
             dz_t[:, 2 * H:3 * H] = dc * i
             dz_t[:, 3 * H:] = dh * self.tanh_c[t]
             dz_t *= slope_t
             return dc * f"""],
    "maxpool": ["""win = windows(x, k, k, k).reshape(n, c, ho, wo, k * k)
                self.argmax = win.argmax(axis=-1)
                return win.max(axis=-1)""",
                """k = self.size
                xp = backend.get_array_module(dy)
                dx = xp.zeros(self.in_shape, dtype=dy.dtype)
                for a in range(k):
                    for b in range(k):
                        dx[:, :, a::k, b::k] += dy * (self.argmax == a * k + b)
                return dx"""],
    "vae": ["""std = xp.exp(0.5 * logvar)
            z = mu + std * eps
            recon = self.loss.forward(self.decoder.forward(z, training=training), x)
            kl = float((-0.5 * (1 + logvar - mu ** 2 - std ** 2)).sum(axis=1).mean())
            self._cache = (mu, std, eps)
            return {"recon": recon, "kl": self.beta * kl, "loss": recon + self.beta * kl,
                    "neg_elbo": recon + kl}""",
            """B = mu.shape[0]
            dmu = dz + self.beta * mu / B
            dlogvar = dz * eps * 0.5 * std + 0.5 * self.beta * (std ** 2 - 1) / B
            return self.encoder.backward(xp.concatenate([dmu, dlogvar], axis=1))"""],
    "ais": ["""log_w = xp.zeros(n_chains, dtype=backend.float64)
            betas = path.betas
            for k in range(1, len(betas)):
                a = path.hidden_input(v)
                log_w += path.log_ratio(v, a, betas[k], betas[k - 1])
                if k < len(betas) - 1:
                    v = path.sweep(a, betas[k])
            top = float(log_w.max())
            log_z0 = float(xp.logaddexp(0.0, path.b_a).sum()) + rbm.n_hidden * math.log(2)
            return log_z0 + top + math.log(float(xp.exp(log_w - top).mean()))"""],
    "rbm_free_energy": ["""a = v @ rbm.W.data + rbm.hbias.data
                        return -(v @ rbm.vbias.data) - xp.logaddexp(0, a).sum(axis=1)""",
                        """p = sigmoid(v @ rbm.W.data + rbm.hbias.data)
                        B = v.shape[0]
                        return -(v.T @ p) / B, -v.mean(axis=0), -p.mean(axis=0)"""],
    "cd_k": ["""p_pos = rbm.mean_h(v)
             h = rbm.sample_h(v)
             for step in range(k):
                 v_neg = rbm.sample_v(h)
                 p_neg = rbm.mean_h(v_neg)
                 h = rbm.sample_h(v_neg)
             B = v.shape[0]
             return ((v_neg.T @ p_neg - v.T @ p_pos) / B, (v_neg - v).mean(axis=0),
                     (p_neg - p_pos).mean(axis=0))"""],
}


def fill(text, bodies):
    """Replace the skeleton's raise statements, in order, with ``bodies``."""
    found = RAISE.findall(text)
    assert len(found) == len(bodies), f"{len(found)} raise statements, {len(bodies)} bodies"
    parts = iter(bodies)

    def body(match):
        return textwrap.indent(_dedent_tail(next(parts)), match.group(1))
    return RAISE.sub(body, text)


def _dedent_tail(code):
    """The first line has no indent in these literals; dedent the rest to match it."""
    first, *rest = code.splitlines()
    rest = textwrap.dedent("\n".join(rest)).splitlines() if rest else []
    return "\n".join([first, *rest])


def test_every_exercise_has_a_filled_in_skeleton():
    assert sorted(BODIES) == sorted(exercises.EXERCISES)


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_a_skeleton_filled_in_as_its_docstring_says_passes(name, tmp_path):
    path, _ = exercises.start(name, tmp_path)
    path.write_text(fill(path.read_text(encoding="utf-8"), BODIES[name]), encoding="utf-8")
    report = exercises.grade_file(name, path)
    assert report.status == "done", report.text() + "\n\n" + path.read_text(encoding="utf-8")
