"""Train tactful's politeness model on the Stanford Politeness Corpus and report cross-validated accuracy.

    python scripts/train_politeness.py [--data ../shared/data/politeness]
        [--out src/tactful/analyzer/politeness_model.json] [--cv 10]

Model: ridge regression of each request's percentile rank of "Normalized Score" within its domain (all rows
of both domains) on the counts of ``tactful.analyzer.politeness.feature_keys`` (imported, so training and
inference cannot drift).

Evaluation (the paper's binary task, as in ``shared/tools/devcheck.py``): within each domain, the requests in
the top and bottom quartile of Normalized Score; cut at the median prediction; accuracy = share on the right
side. Figures are out-of-fold: k folds over the whole dev set (stratified by domain and quartile), each model
trained on both domains' training folds, its ridge penalty chosen by an inner CV on those training folds only
(nested), pruned and rounded exactly as the shipped model. Out-of-fold predictions are pooled per domain.

Needs numpy and scikit-learn (``pip install -e .[train]``); inference needs neither. Deterministic.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tactful.analyzer.politeness import FEATURE_VERSION, feature_keys  # noqa: E402

DOMAINS = ("wikipedia", "stack-exchange")
PAPER = {"wikipedia": 0.838, "stack-exchange": 0.782}
HUMANS = {"wikipedia": 0.867, "stack-exchange": 0.809}
MIN_DF = 2  # a feature seen in one training request only is noise
PRUNE = 0.002  # weights smaller than this change no ranking measurably; dropping them keeps the file small
DIGITS = 4  # significant digits kept per weight
SPREAD = 1.7  # z = SPREAD * (s - median) / std: one std either side maps to about 0.15 .. 0.85


def load(folder: Path):
    """Texts, scores, domain index and quartile label (1 top, 0 bottom, -1 middle) per row."""
    if not folder.is_dir():
        sys.exit(
            f"error: politeness data folder not found: {folder}\n"
            "Pass --data pointing at the folder with wikipedia.dev.csv and stack-exchange.dev.csv."
        )
    texts, scores, dom, lab = [], [], [], []
    for d, name in enumerate(DOMAINS):
        path = folder / f"{name}.dev.csv"
        if not path.is_file():
            sys.exit(f"error: missing {path}")
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        ys = [float(r["Normalized Score"]) for r in rows]
        s = sorted(ys)
        q1, q3 = s[len(s) // 4], s[3 * len(s) // 4]
        for r, y in zip(rows, ys, strict=False):
            texts.append(r["Request"])
            scores.append(y)
            dom.append(d)
            lab.append(1 if y >= q3 else 0 if y <= q1 else -1)
    return texts, scores, dom, lab


def domain_rank(scores, domains):  # type: ignore[no-untyped-def]
    """The target: each request's percentile rank of Normalized Score within its domain, among the
    rows given (training rows only). The evaluation ranks within a domain, and the two domains' raw
    scores are not on one scale."""
    import numpy as np
    from scipy.stats import rankdata

    target = np.zeros(len(scores))
    for d in set(domains.tolist()):
        sel = domains == d
        target[sel] = rankdata(scores[sel]) / int(sel.sum())
    return target


def round_sig(x: float, digits: int = DIGITS) -> float:
    return float(f"{x:.{digits}g}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "politeness")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "src" / "tactful" / "analyzer" / "politeness_model.json"
    )
    ap.add_argument("--cv", type=int, default=10, help="outer folds for the reported figures (0: skip)")
    ap.add_argument("--inner", type=int, default=5, help="inner folds that choose the ridge penalty")
    ap.add_argument("--alphas", default="10,30,100,300", help="ridge penalties the inner CV chooses from")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    try:
        import numpy as np
        from scipy import sparse
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import StratifiedKFold
    except ImportError as e:  # pragma: no cover - environment message
        sys.exit(f"error: training needs the 'train' extra (numpy, scikit-learn): {e}")

    t0 = time.perf_counter()
    texts, scores, dom, lab = load(args.data)
    y, dom, lab = np.asarray(scores), np.asarray(dom), np.asarray(lab)
    alphas = [float(a) for a in args.alphas.split(",")]
    strata = dom * 3 + lab + 1

    # Count every feature once; each fit then keeps the columns its own training rows support.
    vec = CountVectorizer(analyzer=feature_keys, dtype=np.float64)
    X = sparse.csr_matrix(vec.fit_transform(texts))
    names = vec.get_feature_names_out()

    def fit(rows):
        """Ridge on ``rows``; returns (column ids, rounded pruned weights, bias) like the shipped model."""
        alpha = fit.alpha
        Xr = X[rows]
        cols = np.flatnonzero(np.asarray((Xr > 0).sum(axis=0)).ravel() >= MIN_DF)
        m = Ridge(alpha=alpha, solver="sparse_cg", tol=1e-6).fit(Xr[:, cols], domain_rank(y[rows], dom[rows]))
        keep = np.abs(m.coef_) >= PRUNE
        w = np.array([round_sig(v) for v in m.coef_[keep]])
        return cols[keep], w, round_sig(float(m.intercept_))

    def predict(model, rows):
        cols, w, b = model
        return X[rows][:, cols] @ w + b

    def accuracy(pred, rows):
        """Per-domain median-cut accuracy on the quartile rows among ``rows`` (devcheck's protocol)."""
        out = []
        for d in range(len(DOMAINS)):
            sel = (dom[rows] == d) & (lab[rows] >= 0)
            p = pred[sel]
            cut = np.sort(p)[len(p) // 2]
            out.append(float(np.mean((p >= cut) == (lab[rows][sel] == 1))))
        return out

    def choose_alpha(rows):
        """Inner CV on ``rows`` only: the penalty with the best mean per-domain accuracy."""
        best = None
        folds = StratifiedKFold(args.inner, shuffle=True, random_state=args.seed + 1)
        for a in alphas:
            fit.alpha = a
            pred = np.zeros(len(rows))
            for tr, te in folds.split(rows, strata[rows]):
                pred[te] = predict(fit(rows[tr]), rows[te])
            acc = float(np.mean(accuracy(pred, rows)))
            if best is None or acc > best[0]:
                best = (acc, a)
        return best[1]

    everything = np.arange(len(y))
    cv = {}
    if args.cv >= 2:
        oof = np.zeros(len(y))
        chosen = []
        folds = StratifiedKFold(args.cv, shuffle=True, random_state=args.seed)
        for k, (tr, te) in enumerate(folds.split(everything, strata)):
            fit.alpha = choose_alpha(tr)
            chosen.append(fit.alpha)
            oof[te] = predict(fit(tr), te)
            print(f"  fold {k + 1}/{args.cv}: alpha={fit.alpha:g}", file=sys.stderr, flush=True)
        accs = accuracy(oof, everything)
        for name, a in zip(DOMAINS, accs, strict=False):
            n = int(np.sum((dom == DOMAINS.index(name)) & (lab >= 0)))
            print(
                f"{name}: {args.cv}-fold CV accuracy {a:.3f} on {n} quartile requests "
                f"(paper's classifier {PAPER[name]:.3f}, humans {HUMANS[name]:.3f})"
            )
            cv[name] = {"accuracy": round(a, 4), "quartile_requests": n}
        cv["folds"] = args.cv
        cv["alphas_chosen"] = chosen

    fit.alpha = choose_alpha(everything)
    cols, w, bias = fit(everything)
    train_pred = predict((cols, w, bias), everything)
    center = round_sig(float(np.median(train_pred)))
    scale = round_sig(float(np.std(train_pred)) / SPREAD)
    order = np.argsort(names[cols])
    model = {
        "version": 1,
        "feature_version": FEATURE_VERSION,
        "kind": "ridge regression on the within-domain percentile rank of the Stanford Politeness Corpus "
        "'Normalized Score'",
        "training_command": " ".join(["python scripts/train_politeness.py", *(argv or sys.argv[1:])]),
        "data": "Stanford Politeness Corpus (CC BY 4.0), dev part: wikipedia.dev.csv + "
        f"stack-exchange.dev.csv, {len(y)} requests",
        "feature_config": {
            "features": "feature_keys(): unigrams, bigrams with <s>/</s>, sentence-initial words, strategy "
            "word classes (+ sentence-initial and first-sentence variants), counts",
            "min_df": MIN_DF,
            "prune_below": PRUNE,
            "significant_digits": DIGITS,
            "alpha": fit.alpha,
            "alphas_searched": alphas,
        },
        "cv": cv,
        "output": "score = sigmoid((bias + sum(weights[k] for k in feature_keys(text)) - center) / scale)",
        "bias": bias,
        "center": center,
        "scale": scale,
        "weights": {str(names[cols[i]]): float(w[i]) for i in order},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.out.write_text(payload + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} ({len(payload) / 1024:.0f} KiB, {len(cols)} weights, alpha={fit.alpha:g}) "
        f"in {time.perf_counter() - t0:.0f}s"
    )
    if not all(math.isfinite(v) for v in (bias, center, scale)):
        sys.exit("error: non-finite model parameters")


if __name__ == "__main__":
    main()
