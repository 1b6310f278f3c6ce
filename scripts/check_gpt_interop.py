#!/usr/bin/env python3
"""Checks that PyTorch loads the GPT that `swiftgrad train --arch gpt` writes (not part of CI: needs torch and
safetensors from pip).

Trains a small GPT with the release build of `swiftgrad`, loads its model.safetensors into nanoGPT's model
(scripts/make_transformer_fixtures.py's GPT, sized from the file's metadata) with strict=True, and checks that
PyTorch's greedy continuation of a prompt equals `swiftgrad generate --temperature 0`'s.

Usage: swift build -c release && python3 scripts/check_gpt_interop.py
"""
import json
import os
import subprocess
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "swiftgrad")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from make_transformer_fixtures import GPT  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as folder:
        text = os.path.join(folder, "text.txt")
        with open(text, "w") as f:
            f.write("the cat sat on the mat. the dog sat on the log.\n" * 60)
        run = os.path.join(folder, "run")
        subprocess.run([BIN, "train", "--arch", "gpt", "--text", text, "--layers", "2", "--heads", "2", "--embedding", "32",
                        "--context", "32", "--steps", "300", "--out", run], check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(run, "model.safetensors")
        with safe_open(path, "pt") as f:
            metadata = f.metadata()
        config, symbols = json.loads(metadata["swiftgrad.gpt"]), json.loads(metadata["swiftgrad.vocabulary"])["symbols"]
        model = GPT(vocab=config["vocabularySize"], context=config["contextLength"], layers=config["layers"],
                    heads=config["heads"], c=config["embedding"])
        model.load_state_dict(load_file(path), strict=True)
        model.eval()
        prompt = "the dog sat"
        idx = torch.tensor([[symbols.index(c) for c in prompt]])
        with torch.no_grad():
            for _ in range(15):
                idx = torch.cat((idx, model(idx)[:, -1, :].argmax(-1, keepdim=True)), dim=1)
        torch_text = "".join(symbols[i] for i in idx[0].tolist())
        swift_text = subprocess.run([BIN, "generate", "--model", run, "--prompt", prompt, "--tokens", "15",
                                     "--temperature", "0"], check=True, capture_output=True, text=True).stdout.rstrip("\n")
        print(f"PyTorch:   {torch_text!r}\nSwiftGrad: {swift_text!r}")
        if torch_text != swift_text:
            sys.exit("the continuations differ")
        print("strict=True load and the same greedy continuation: ok")


if __name__ == "__main__":
    main()
