#!/usr/bin/env python3
"""Python peers of `tau bench --filter bptt`: the same forward + BPTT gradient of the leaky cell
with a multi gate (no biases, readout W_o h_T, MSE loss), in JAX (jit + lax.scan) and PyTorch
(eager autograd), at the same sizes. Prints `tau bench`'s line format with a jax/ or torch/ prefix.
Each framework is optional: a missing one is reported and skipped. Timing: one warm-up call (JAX
compiles there), then the median over repeated calls of at least MIN_SECONDS (default 1.5).
"""
import os
import statistics
import time
from itertools import product

SIZES = [(64, 80, 64), (128, 100, 32), (512, 100, 32)]
INPUT = 4
SETTINGS = [("S1", 80), ("S2", 120)]  # issue 5's training settings: (name, T)
MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "1.5"))


def median_seconds(call):
    call()
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - start < MIN_SECONDS:
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def flops(n, m, length, batch):
    return 3 * batch * length * (4 * n * n + 4 * n * m)


def report(prefix, n, length, batch, seconds):
    name = f"multi-n{n}-T{length}-B{batch}"
    print(f"{prefix}/bptt/f32/{name}\t{seconds * 1e6:.0f}\tµs/step", flush=True)
    print(f"{prefix}/bptt-flops/f32/{name}\t{flops(n, INPUT, length, batch) / seconds / 1e9:.2f}\tGFLOP/s", flush=True)


def run_jax():
    import jax
    import jax.numpy as jnp

    def loss(params, inputs, targets):
        wr, wi, wrg, wig, wo = params

        def step(h, x):
            g = jax.nn.sigmoid(h @ wrg.T + x @ wig.T)
            h = g * jnp.tanh(h @ wr.T + x @ wi.T) + (1 - g) * h
            return h, None

        h0 = jnp.zeros((inputs.shape[1], wr.shape[0]), inputs.dtype)
        h, _ = jax.lax.scan(step, h0, inputs)
        return jnp.mean((h @ wo.T - targets) ** 2)

    gradient = jax.jit(jax.value_and_grad(loss))
    for n, length, batch in SIZES:
        key = jax.random.PRNGKey(0)
        keys = jax.random.split(key, 7)
        b = 1 / n**0.5
        params = (
            jax.random.uniform(keys[0], (n, n), jnp.float32, -b, b),
            jax.random.uniform(keys[1], (n, INPUT), jnp.float32, -0.5, 0.5),
            jax.random.uniform(keys[2], (n, n), jnp.float32, -b, b),
            jax.random.uniform(keys[3], (n, INPUT), jnp.float32, -0.5, 0.5),
            jax.random.uniform(keys[4], (1, n), jnp.float32, -b, b),
        )
        inputs = jax.random.uniform(keys[5], (length, batch, INPUT), jnp.float32)  # time-major for scan
        targets = jax.random.uniform(keys[6], (batch, 1), jnp.float32)
        seconds = median_seconds(lambda: jax.block_until_ready(gradient(params, inputs, targets)))
        report("jax", n, length, batch, seconds)


def run_torch():
    import torch

    torch.manual_seed(0)
    for n, length, batch in SIZES:
        b = 1 / n**0.5
        params = [
            (torch.rand(shape) * 2 - 1).mul_(scale).requires_grad_()
            for shape, scale in [((n, n), b), ((n, INPUT), 0.5), ((n, n), b), ((n, INPUT), 0.5), ((1, n), b)]
        ]
        inputs = torch.rand(batch, length, INPUT)
        targets = torch.rand(batch, 1)

        def call():
            wr, wi, wrg, wig, wo = params
            h = torch.zeros(batch, n)
            for t in range(length):
                x = inputs[:, t]
                g = torch.sigmoid(h @ wrg.T + x @ wig.T)
                h = g * torch.tanh(h @ wr.T + x @ wi.T) + (1 - g) * h
            loss = torch.nn.functional.mse_loss(h @ wo.T, targets)
            for p in params:
                p.grad = None
            loss.backward()

        report("torch", n, length, batch, median_seconds(call))


def run_training():
    """Issue 5's settings: S1 (T = 80) and S2 (T = 120), n = 64, B = 64, adding-like data, plain
    SGD (lr 0.01) updates, steps per second, in f32 and f64. Same model as above."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as error:
        print(f"# jax training skipped: {error}", flush=True)
    else:
        def loss(params, inputs, targets):
            wr, wi, wrg, wig, wo = params

            def step(h, x):
                g = jax.nn.sigmoid(h @ wrg.T + x @ wig.T)
                return g * jnp.tanh(h @ wr.T + x @ wi.T) + (1 - g) * h, None

            h, _ = jax.lax.scan(step, jnp.zeros((inputs.shape[1], wr.shape[0]), inputs.dtype), inputs)
            return jnp.mean((h @ wo.T - targets) ** 2)

        @jax.jit
        def sgd_step(params, inputs, targets):
            value, grads = jax.value_and_grad(loss)(params, inputs, targets)
            return [p - 0.01 * g for p, g in zip(params, grads)], value

        jax.config.update("jax_enable_x64", True)  # arrays below name their dtype explicitly
        for (setting, length), (dtype_name, dtype) in product(SETTINGS, [("f32", jnp.float32), ("f64", jnp.float64)]):
            keys = jax.random.split(jax.random.PRNGKey(0), 7)
            n, b = 64, 1 / 8
            params = [jax.random.uniform(keys[i], shape, dtype, -b, b)
                      for i, shape in enumerate([(n, n), (n, 4), (n, n), (n, 4), (1, n)])]
            inputs = jax.random.uniform(keys[5], (length, 64, 4), dtype)
            targets = jax.random.uniform(keys[6], (64, 1), dtype)
            state = {"params": params}

            def call():
                state["params"], value = sgd_step(state["params"], inputs, targets)
                jax.block_until_ready(value)

            print(f"jax/train/{dtype_name}/{setting}-multi-n64-T{length}-B64-sgd\t{1 / median_seconds(call):.2f}\tsteps/s", flush=True)
    try:
        import torch
    except ImportError as error:
        print(f"# torch training skipped: {error}", flush=True)
        return
    for (setting, length), (dtype_name, dtype) in product(SETTINGS, [("f32", torch.float32), ("f64", torch.float64)]):
        n, b = 64, 1 / 8
        params = [((torch.rand(shape, dtype=dtype) * 2 - 1) * b).requires_grad_() for shape in [(n, n), (n, 4), (n, n), (n, 4), (1, n)]]
        optimizer = torch.optim.SGD(params, lr=0.01)
        inputs, targets = torch.rand(64, length, 4, dtype=dtype), torch.rand(64, 1, dtype=dtype)

        def call():
            wr, wi, wrg, wig, wo = params
            h = torch.zeros(64, n, dtype=dtype)
            for t in range(length):
                x = inputs[:, t]
                g = torch.sigmoid(h @ wrg.T + x @ wig.T)
                h = g * torch.tanh(h @ wr.T + x @ wi.T) + (1 - g) * h
            loss = torch.nn.functional.mse_loss(h @ wo.T, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        print(f"torch/train/{dtype_name}/{setting}-multi-n64-T{length}-B64-sgd\t{1 / median_seconds(call):.2f}\tsteps/s", flush=True)


if __name__ == "__main__":
    # PEERS=bptt runs only the BPTT sizes, PEERS=training only the training settings.
    part = os.environ.get("PEERS", "all")
    for name, run in [("jax", run_jax), ("torch", run_torch)] if part != "training" else []:
        try:
            run()
        except ImportError as error:
            print(f"# {name} skipped: {error}", flush=True)
    if part != "bptt":
        run_training()
