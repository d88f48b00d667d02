"""``slowdyn nnlt train CONFIG``: train an NNLT from a YAML config (resumes from its checkpoint)."""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> list[Path]:
    from slowdyn.analysis.nnlt import NNLTConfig, NNLTTrainer, example_config

    path = Path(args.config)
    cfg = NNLTConfig.from_yaml(path if path.suffix in (".yaml", ".yml") or path.exists()
                               else example_config(args.config))
    if args.epochs is not None:
        cfg.epochs = args.epochs
    if args.threads is not None:
        cfg.num_threads = args.threads
    tr = NNLTTrainer(cfg, out_dir=args.out, resume=not args.no_resume, progress=not args.quiet).run()
    h = tr.history
    if h["epoch"]:
        print(f"epoch {h['epoch'][-1]}: train loss {h['train_loss'][-1]:.4e} "
              f"(MSE {h['train_mse'][-1]:.4e}, logMSE {h['train_logmse'][-1]:.4e}), "
              f"validation loss {h['val_loss'][-1]:.4e} "
              f"(MSE {h['val_mse'][-1]:.4e}, logMSE {h['val_logmse'][-1]:.4e})")
        if "val_extra_mse" in h:
            print(f"extra_data validation: MSE {h['val_extra_mse'][-1]:.4e}, logMSE {h['val_extra_logmse'][-1]:.4e}")
    return [tr.model_path, tr.checkpoint_path, tr.out_dir / "history.json", tr.out_dir / "loss.png"]


