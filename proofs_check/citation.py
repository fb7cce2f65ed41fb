"""BibTeX for the papers this tool checks and for the tool itself."""

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

@inproceedings{lee2025similarities,
  title     = {On the Similarities of Embeddings in Contrastive Learning},
  author    = {Lee, Chungpa and Lim, Sehee and Lee, Kibok and Sohn, Jy-yong},
  booktitle = {Proceedings of the 42nd International Conference on Machine Learning (ICML)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {267},
  publisher = {PMLR},
  year      = {2025},
  eprint    = {2506.09781},
  archivePrefix = {arXiv}
}

@inproceedings{bangachev2025global,
  title     = {Global Minimizers of Sigmoid Contrastive Loss},
  author    = {Bangachev, Kiril and Bresler, Guy and Noman, Iliyas and Polyanskiy, Yury},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  year      = {2025},
  eprint    = {2509.18552},
  archivePrefix = {arXiv}
}
"""


def bibtex() -> str:
    """BibTeX entries: the papers, then this tool at its installed version.

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
