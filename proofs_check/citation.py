"""BibTeX for the two papers this tool checks and for the tool itself."""

from __future__ import annotations

from importlib import metadata

__all__ = ["bibtex"]

_PAPERS = r"""@inproceedings{lee2024sigmoid,
  title     = {Analysis of Using Sigmoid Loss for Contrastive Learning},
  author    = {Lee, Chungpa and Chang, Joonhwan and Sohn, Jy-yong},
  booktitle = {Proceedings of the 27th International Conference on Artificial Intelligence and Statistics (AISTATS)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {238},
  publisher = {PMLR},
  year      = {2024},
  eprint    = {2402.12613},
  archivePrefix = {arXiv}
}

@inproceedings{koromilas2024bridging,
  title     = {Bridging Mini-Batch and Asymptotic Analysis in Contrastive Learning: From {InfoNCE} to Kernel-Based Losses},
  author    = {Koromilas, Panagiotis and Bouritsas, Giorgos and Giannakopoulos, Theodoros and Nicolaou, Mihalis and Panagakis, Yannis},
  booktitle = {Proceedings of the 41st International Conference on Machine Learning (ICML)},
  series    = {Proceedings of Machine Learning Research},
  year      = {2024}
}
"""


def bibtex() -> str:
    """BibTeX entries: both papers, then this tool at its installed version.

    >>> "@software{clverify" in bibtex()
    True
    """
    try:
        version = metadata.version("clverify")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "unknown"
    tool = (
        "@software{clverify,\n"
        "  title   = {clverify: a symbolic, certified and numerical verifier for the theory of "
        "contrastive losses},\n"
        f"  version = {{{version}}},\n"
        "  year    = {2026},\n"
        "  note    = {See CITATION.cff}\n"
        "}\n"
    )
    return _PAPERS + "\n" + tool
