"""Reference fixtures for Tau's `use torch` cells and `load`, made with real PyTorch.

Run once (needs torch, safetensors, numpy); the tests read the files and do not need PyTorch:

    python3 Tests/Fixtures/torch/make_fixtures.py

For every variant (cell rnn|gru|lstm, bias on|off, 1|2 layers, float64|float32) it writes two files:

  <cell>_l<layers>_<bias|nobias>_<f64|f32>.safetensors      the module's state_dict(), exactly as
                                                           `safetensors.torch.save_file` saves it
                                                           (names weight_ih_l0, bias_hh_l1, ...)
  <cell>_l<layers>_<bias|nobias>_<f64|f32>.ref.safetensors  the inputs `x` [B, T, I] and, for every
                                                           layer k, its hidden states `h_l<k>` [B, T, H]
                                                           (and for LSTM its cell states `c_l<k>`)

The initial state is zero and the layout is batch first (batch_first=True). PyTorch returns only the
top layer's sequence, so each layer's states come from stepping a one-layer module of the same kind
loaded with that layer's weights, one time step at a time (which also yields the LSTM's c); the script
asserts the top layer equals the stacked module's own output, so the references are PyTorch's.
Seeds are fixed, so the files are reproducible.
"""

import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT, HIDDEN, BATCH, STEPS = 3, 5, 2, 6
MODULES = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


def layer_states(kind, module, layer, inputs, dtype):
    """Steps layer `layer` of `module` alone over `inputs` [B, T, in]; returns (h [B,T,H], c or None)."""
    size_in = inputs.shape[2]
    single = MODULES[kind](size_in, HIDDEN, num_layers=1, bias=module.bias, batch_first=True).to(dtype)
    own = {name: value for name, value in module.state_dict().items() if name.endswith(f"_l{layer}")}
    single.load_state_dict({name[: -len(str(layer))] + "0": value for name, value in own.items()})
    h = torch.zeros(1, BATCH, HIDDEN, dtype=dtype)
    c = torch.zeros(1, BATCH, HIDDEN, dtype=dtype)
    hs, cs = [], []
    for t in range(STEPS):
        step = inputs[:, t : t + 1, :]
        if kind == "lstm":
            _, (h, c) = single(step, (h, c))
            cs.append(c[0])
        else:
            _, h = single(step, h)
        hs.append(h[0])
    return torch.stack(hs, dim=1), (torch.stack(cs, dim=1) if kind == "lstm" else None)


def make(kind, layers, bias, dtype, seed):
    torch.manual_seed(seed)
    module = MODULES[kind](INPUT, HIDDEN, num_layers=layers, bias=bias, batch_first=True).to(dtype)
    x = torch.randn(BATCH, STEPS, INPUT, dtype=dtype)
    reference = {"x": x}
    below = x
    with torch.no_grad():
        for layer in range(layers):
            h, c = layer_states(kind, module, layer, below, dtype)
            reference[f"h_l{layer}"] = h
            if c is not None:
                reference[f"c_l{layer}"] = c
            below = h
        output = module(x)[0]
    tolerance = 1e-12 if dtype == torch.float64 else 1e-6
    assert torch.allclose(output, below, atol=tolerance, rtol=0), f"{kind}: layer by layer differs from the module"
    stem = f"{kind}_l{layers}_{'bias' if bias else 'nobias'}_{'f64' if dtype == torch.float64 else 'f32'}"
    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, os.path.join(HERE, stem + ".safetensors"))
    save_file({k: v.contiguous() for k, v in reference.items()}, os.path.join(HERE, stem + ".ref.safetensors"))


def main():
    seed = 0
    for kind in MODULES:
        for layers in (1, 2):
            for bias in (True, False):
                for dtype in (torch.float64, torch.float32):
                    make(kind, layers, bias, dtype, seed)
                    seed += 1


if __name__ == "__main__":
    main()
